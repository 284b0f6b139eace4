import { SUCCESS_CODE, type DashboardSpec, type RowSpec } from './dashboard-spec.js';
import { byVariables, datasourceVariable, jobVariable, sel } from './selectors.js';

const target = byVariables('job', 'instance');
const collector = byVariables('job', 'instance', 'cc_id', 'collector');
const RULES_NOTE = 'only when deploy/prometheus/alerts.yml is loaded';
const requests = (extra: string[] = []): string => sel('instance_endpoint_code:aicc_api_requests:rate5m', [...target, ...extra]);

const summaryRow: RowSpec = {
  title: 'Now',
  panels: [
    { kind: 'stat', title: 'Collectors up', width: 4, unit: 'percentunit', min: 0, max: 1, description: 'Share of the selected collectors whose last run succeeded (aicc_up).', queries: [{ expr: `avg(${sel('aicc_up', collector)})` }] },
    { kind: 'stat', title: 'CMS request errors', width: 4, unit: 'percentunit', min: 0, max: 1, description: 'Share of CMS requests over the last 5 minutes that did not answer 0100000.', queries: [{ expr: `(sum(${requests([`code!="${SUCCESS_CODE}"`])}) or vector(0)) / sum(${requests()})` }] },
    { kind: 'stat', title: 'Uptime', width: 4, unit: 's', description: 'Time since the exporter process started.', queries: [{ expr: `time() - max(${sel('process_start_time_seconds', target)})` }] },
    { kind: 'stat', title: 'Replicas / shards', width: 4, unit: 'short', description: 'Replicas reporting a shard index, and the shard count they were configured with.', queries: [{ expr: `count(${sel('aicc_exporter_shard_index', byVariables('job'))})`, legend: 'replicas' }, { expr: `max(${sel('aicc_exporter_shards', byVariables('job'))})`, legend: 'shards' }] },
    { kind: 'stat', title: 'Version', width: 8, unit: 'short', statShowsName: true, description: 'Exporter and Node.js versions per replica.', queries: [{ expr: sel('aicc_exporter_build_info', target), legend: '{{version}} (Node.js {{nodejs_version}}) {{instance}}' }] },
  ],
};

const collectorsRow: RowSpec = {
  title: 'Collectors',
  panels: [
    {
      kind: 'state-timeline', title: 'Collector status', width: 24, unit: 'short',
      description: 'aicc_up per call center and collector: whether the last run succeeded.',
      valueText: { 0: { text: 'failing', color: 'red' }, 1: { text: 'up', color: 'green' } },
      queries: [{ expr: sel('aicc_up', collector), legend: '{{cc_id}} {{collector}} {{instance}}' }],
    },
    {
      kind: 'timeseries', title: 'Age of the last success', width: 12, unit: 's', min: 0,
      description: 'Seconds since each collector last succeeded; dashed: the AiccDataStale limit (N intervals).',
      queries: [
        { expr: sel('cc_id_collector:aicc_collector_last_success:age_seconds', collector), legend: '{{cc_id}} {{collector}}' },
        { expr: `${sel('aicc_collector_interval_seconds', collector)} * on () group_left () aicc:collector_stale_threshold:intervals`, legend: '{{cc_id}} {{collector}} stale after', dashed: true, mayBeEmpty: RULES_NOTE },
      ],
    },
    {
      kind: 'timeseries', title: 'Run duration and interval', width: 12, unit: 's', min: 0,
      description: 'Duration of each collector\u2019s last run; dashed: its configured interval. A run longer than the interval makes the next one skip.',
      queries: [
        { expr: sel('aicc_collector_duration_seconds', collector), legend: '{{cc_id}} {{collector}} run' },
        { expr: sel('aicc_collector_interval_seconds', collector), legend: '{{cc_id}} {{collector}} interval', dashed: true },
      ],
    },
    { kind: 'timeseries', title: 'Run duration / interval', width: 12, unit: 'percentunit', min: 0, description: 'Last run\u2019s duration as a share of the interval; near 100% runs start to be skipped.', queries: [{ expr: sel('cc_id_collector:aicc_collector_duration:ratio_interval', collector), legend: '{{cc_id}} {{collector}}' }] },
    { kind: 'timeseries', title: 'Skipped runs', width: 12, unit: 'short', bars: true, min: 0, description: 'Runs skipped because the previous run of the same collector was still going.', queries: [{ expr: `sum by (cc_id, collector) (increase(${sel('aicc_collector_skipped_runs_total', collector)}[$__rate_interval]))`, legend: '{{cc_id}} {{collector}}', mayBeEmpty: 'no run skipped since the start (the counter appears at the first skip)' }] },
  ],
};

const cmsRow: RowSpec = {
  title: 'CC-CMS requests',
  panels: [
    { kind: 'timeseries', title: 'Requests by endpoint and code', width: 12, unit: 'reqps', min: 0, description: 'CMS requests per second by interface and result (resultCode, http_<status>, timeout, network, invalid_response), 5-minute rate; retries count.', queries: [{ expr: `sum by (endpoint, code) (${requests()})`, legend: '{{endpoint}} {{code}}' }] },
    { kind: 'timeseries', title: 'Failed requests by endpoint and code', width: 12, unit: 'reqps', min: 0, description: 'CMS requests per second that did not answer 0100000, 5-minute rate.', queries: [{ expr: `sum by (endpoint, code) (${requests([`code!="${SUCCESS_CODE}"`])})`, legend: '{{endpoint}} {{code}}', mayBeEmpty: 'no failed CMS request in the last 5 minutes' }] },
    { kind: 'timeseries', title: 'Error ratio by endpoint', width: 12, unit: 'percentunit', min: 0, max: 1, description: 'Share of CMS requests that failed, per interface and replica, 5-minute window.', queries: [{ expr: `max by (instance, endpoint) (${sel('instance_endpoint:aicc_api_requests_errors:ratio_rate5m', target)})`, legend: '{{endpoint}} {{instance}}' }] },
    {
      kind: 'timeseries', title: 'Request latency', width: 12, unit: 's', min: 0,
      description: 'CMS request duration quantiles per interface, 5-minute window.',
      queries: ['p50', 'p90', 'p99'].map((q) => ({
        expr: `max by (endpoint) (${sel(`instance_endpoint:aicc_api_request_duration_seconds:${q}_5m`, target)})`,
        legend: `{{endpoint}} ${q}`,
      })),
    },
  ],
};

const processRow: RowSpec = {
  title: 'Process',
  panels: [
    {
      kind: 'timeseries', title: 'Memory', width: 8, unit: 'bytes', min: 0, description: 'Resident memory and V8 heap used per replica.',
      queries: [
        { expr: sel('process_resident_memory_bytes', target), legend: '{{instance}} resident' },
        { expr: sel('nodejs_heap_size_used_bytes', target), legend: '{{instance}} heap used' },
      ],
    },
    { kind: 'timeseries', title: 'CPU', width: 8, unit: 'percentunit', min: 0, description: 'CPU time per second (100% = one core) per replica.', queries: [{ expr: `rate(${sel('process_cpu_seconds_total', target)}[$__rate_interval])`, legend: '{{instance}}' }] },
    { kind: 'timeseries', title: 'Event loop lag (p99)', width: 8, unit: 's', min: 0, description: 'The 99th percentile of the Node.js event loop delay per replica.', queries: [{ expr: sel('nodejs_eventloop_lag_p99_seconds', target), legend: '{{instance}}' }] },
  ],
};

/** The exporter's own health: collectors, CMS requests, the process. */
export const exporterDashboard: DashboardSpec = {
  uid: 'aicc-exporter',
  title: 'AICC exporter',
  description: 'Health of aicc-exporter: collector runs, CC-CMS requests, process resources.',
  fileName: 'aicc-exporter.json',
  tags: ['aicc', 'aicc-exporter'],
  variables: [
    datasourceVariable,
    jobVariable,
    { kind: 'query', name: 'instance', label: 'Instance', selector: sel('aicc_exporter_build_info', byVariables('job')), labelName: 'instance' },
    { kind: 'query', name: 'cc_id', label: 'Call center', selector: sel('aicc_up', target), labelName: 'cc_id' },
    { kind: 'query', name: 'collector', label: 'Collector', selector: sel('aicc_up', byVariables('job', 'instance', 'cc_id')), labelName: 'collector' },
  ],
  rows: [summaryRow, collectorsRow, cmsRow, processRow],
};
