import type { DashboardSpec, RowSpec } from './dashboard-spec.js';
import { byVariables, datasourceVariable, jobVariable, sel } from './selectors.js';

// Matchers per scope. Call-center gauges are read with max by (...): while a VDN moves between
// shards two replicas may briefly serve it, and its gauges must not double.
const cc = byVariables('job', 'cc_id');
const vdn = byVariables('job', 'cc_id', 'vdn');
const ac = byVariables('job', 'cc_id', 'vdn', 'access_code');
const RULES_NOTE = 'only when deploy/prometheus/alerts.yml is loaded';
/** The table rows: the 10 access codes with the longest waits; the other columns are limited to them. */
const topWaits = `topk(10, max by (cc_id, vdn, access_code) (${sel('aicc_access_code_longest_wait_seconds', ac)}))`;
/** The 20 agents whose oldest current call is the oldest. */
const oldestCalls = `topk(20, max by (cc_id, vdn, agent_id) (${sel('aicc_agent_oldest_call_age_seconds', vdn)}))`;

const summaryRow: RowSpec = {
  title: 'Now',
  panels: [
    { kind: 'stat', title: 'Online agents', width: 4, unit: 'short', description: 'Online agents of the selected VDNs, newest 5-minute period.', queries: [{ expr: `sum(max by (cc_id, vdn) (${sel('aicc_agents_online', vdn)}))` }] },
    { kind: 'stat', title: 'Idle agents', width: 4, unit: 'short', description: 'Idle agents of the selected VDNs.', queries: [{ expr: `sum(max by (cc_id, vdn) (${sel('aicc_agents', [...vdn, 'state="idle"'])}))` }] },
    { kind: 'stat', title: 'Calls in queue', width: 4, unit: 'short', description: 'Calls queued on the selected access codes.', queries: [{ expr: `sum(max by (cc_id, vdn, access_code) (${sel('aicc_access_code_calls', [...ac, 'stage="queue"'])}))` }] },
    { kind: 'stat', title: 'Longest wait', width: 4, unit: 's', description: 'The longest current wait over the selected access codes.', queries: [{ expr: `max(${sel('aicc_access_code_longest_wait_seconds', ac)})` }] },
    { kind: 'stat', title: 'Lowest connection ratio', width: 4, unit: 'percentunit', description: 'The lowest inbound connection ratio over the selected VDNs, newest 5-minute period.', queries: [{ expr: `min(${sel('aicc_inbound_connection_ratio', vdn)})` }] },
    { kind: 'stat', title: 'Largest CTI clock skew', width: 4, unit: 's', description: 'The largest absolute difference between a CTI server clock and the exporter clock.', queries: [{ expr: `max(abs(${sel('aicc_cti_clock_skew_seconds', cc)}))` }] },
  ],
};

const agentsRow: RowSpec = {
  title: 'Agents',
  panels: [
    { kind: 'timeseries', title: 'Agents by state', width: 12, unit: 'short', stacked: true, min: 0, description: 'Agents talking, idle, busy and resting per call center and VDN (stacked), newest 5-minute period of cti/sysindex.', queries: [{ expr: `max by (cc_id, vdn, state) (${sel('aicc_agents', vdn)})`, legend: '{{cc_id}}/{{vdn}} {{state}}' }] },
    { kind: 'timeseries', title: 'Online agents', width: 12, unit: 'short', min: 0, description: 'Online agents per call center and VDN, newest 5-minute period of cti/sysindex.', queries: [{ expr: `max by (cc_id, vdn) (${sel('aicc_agents_online', vdn)})`, legend: '{{cc_id}}/{{vdn}}' }] },
  ],
};

const callsRow: RowSpec = {
  title: 'Calls',
  panels: [
    {
      kind: 'timeseries', title: 'Inbound and connected calls', width: 8, unit: 'cpm', min: 0,
      description: 'Inbound calls and inbound calls connected to an agent, per minute (5-minute rate of the counters; recording rules of deploy/prometheus/recording.yml).',
      queries: [
        { expr: `sum by (cc_id, vdn) (${sel('cc_id_vdn:aicc_inbound_calls:rate5m', vdn)}) * 60`, legend: '{{cc_id}}/{{vdn}} inbound' },
        { expr: `sum by (cc_id, vdn) (${sel('cc_id_vdn:aicc_inbound_calls_connected:rate5m', vdn)}) * 60`, legend: '{{cc_id}}/{{vdn}} connected' },
      ],
    },
    { kind: 'timeseries', title: 'Outbound calls', width: 8, unit: 'cpm', min: 0, description: 'Outbound calls per minute (5-minute rate of the counter).', queries: [{ expr: `sum by (cc_id, vdn) (${sel('cc_id_vdn:aicc_outbound_calls:rate5m', vdn)}) * 60`, legend: '{{cc_id}}/{{vdn}}' }] },
    {
      kind: 'timeseries', title: 'Inbound connection ratio', width: 8, unit: 'percentunit', min: 0, max: 1,
      description: 'Share of inbound calls connected to an agent, newest 5-minute period; dashed: the AiccConnectionRatioLow threshold.',
      queries: [
        { expr: `max by (cc_id, vdn) (${sel('aicc_inbound_connection_ratio', vdn)})`, legend: '{{cc_id}}/{{vdn}}' },
        { expr: 'aicc:connection_ratio_threshold:ratio', legend: 'alert threshold', dashed: true, mayBeEmpty: RULES_NOTE },
      ],
    },
  ],
};

const accessCodesRow: RowSpec = {
  title: 'Access codes',
  panels: [
    { kind: 'timeseries', title: 'Calls by stage', width: 8, unit: 'short', stacked: true, min: 0, description: 'Calls per access code in IVR, in queue and with an agent (stacked).', queries: [{ expr: `max by (cc_id, vdn, access_code, stage) (${sel('aicc_access_code_calls', ac)})`, legend: '{{access_code}} {{stage}}' }] },
    { kind: 'timeseries', title: 'Online calls', width: 8, unit: 'short', min: 0, description: 'Calls in progress per access code.', queries: [{ expr: `max by (cc_id, vdn, access_code) (${sel('aicc_access_code_online_calls', ac)})`, legend: '{{cc_id}}/{{vdn}} {{access_code}}' }] },
    {
      kind: 'timeseries', title: 'Longest wait', width: 8, unit: 's', min: 0,
      description: 'The longest current wait per access code; dashed: the AiccQueueWaitTimeHigh warning and critical thresholds.',
      queries: [
        { expr: `max by (cc_id, vdn, access_code) (${sel('aicc_access_code_longest_wait_seconds', ac)})`, legend: '{{cc_id}}/{{vdn}} {{access_code}}' },
        { expr: 'aicc:queue_wait_warning_threshold:seconds', legend: 'warning threshold', dashed: true, mayBeEmpty: RULES_NOTE },
        { expr: 'aicc:queue_wait_critical_threshold:seconds', legend: 'critical threshold', dashed: true, mayBeEmpty: RULES_NOTE },
      ],
    },
    {
      kind: 'table', title: 'Access codes with the longest waits', width: 24, unit: 'short', sortBy: 'Longest wait',
      description: 'The ten access codes whose longest current wait is the longest, with their queued and online calls.',
      queries: [
        { expr: topWaits, instant: true },
        { expr: `max by (cc_id, vdn, access_code) (${sel('aicc_access_code_calls', [...ac, 'stage="queue"'])}) and on (cc_id, vdn, access_code) ${topWaits}`, instant: true },
        { expr: `max by (cc_id, vdn, access_code) (${sel('aicc_access_code_online_calls', ac)}) and on (cc_id, vdn, access_code) ${topWaits}`, instant: true },
      ],
      columns: [
        { field: 'cc_id', title: 'Call center' },
        { field: 'vdn', title: 'VDN' },
        { field: 'access_code', title: 'Access code' },
        { field: 'Value #A', title: 'Longest wait', unit: 's' },
        { field: 'Value #B', title: 'In queue', unit: 'short' },
        { field: 'Value #C', title: 'Online calls', unit: 'short' },
      ],
    },
  ],
};

const ctiAndAgentCallsRow: RowSpec = {
  title: 'CTI clock and agents\u2019 current calls',
  panels: [
    { kind: 'timeseries', title: 'CTI clock skew', width: 8, unit: 's', description: 'CTI server clock minus exporter clock per call center (positive: the CTI is ahead).', queries: [{ expr: `max by (cc_id) (${sel('aicc_cti_clock_skew_seconds', cc)})`, legend: '{{cc_id}}' }] },
    {
      kind: 'table', title: 'Agents with the oldest current calls', width: 16, unit: 'short', sortBy: 'Oldest call',
      description: 'The twenty watched agents whose oldest current call started longest ago, with its wait before answer and their number of calls.',
      queries: [
        { expr: oldestCalls, instant: true },
        { expr: `max by (cc_id, vdn, agent_id) (${sel('aicc_agent_oldest_call_wait_seconds', vdn)}) and on (cc_id, vdn, agent_id) ${oldestCalls}`, instant: true },
        { expr: `max by (cc_id, vdn, agent_id) (${sel('aicc_agent_active_calls', vdn)}) and on (cc_id, vdn, agent_id) ${oldestCalls}`, instant: true },
      ],
      columns: [
        { field: 'cc_id', title: 'Call center' },
        { field: 'vdn', title: 'VDN' },
        { field: 'agent_id', title: 'Agent' },
        { field: 'Value #A', title: 'Oldest call', unit: 's' },
        { field: 'Value #B', title: 'Its wait', unit: 's' },
        { field: 'Value #C', title: 'Active calls', unit: 'short' },
      ],
    },
  ],
};

/** Call centers, VDNs and access codes as the CC-CMS reports them. */
export const overviewDashboard: DashboardSpec = {
  uid: 'aicc-overview',
  title: 'AICC call centers',
  description: 'Agents, calls, access code queues and CTI clock skew of the AICC call centers, from aicc-exporter.',
  fileName: 'aicc-overview.json',
  tags: ['aicc', 'aicc-exporter'],
  variables: [
    datasourceVariable,
    jobVariable,
    { kind: 'query', name: 'cc_id', label: 'Call center', selector: sel('aicc_up', byVariables('job')), labelName: 'cc_id' },
    {
      kind: 'query', name: 'vdn', label: 'VDN', labelName: 'vdn',
      selector: sel('', ['__name__=~"aicc_agents_online|aicc_access_code_online_calls|aicc_agent_active_calls"', ...cc]),
    },
    { kind: 'query', name: 'access_code', label: 'Access code', selector: sel('aicc_access_code_online_calls', vdn), labelName: 'access_code' },
  ],
  rows: [summaryRow, agentsRow, callsRow, accessCodesRow, ctiAndAgentCallsRow],
};
