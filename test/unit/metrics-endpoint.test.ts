import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMetricsPipeline } from '../../src/metrics/metrics-endpoint.js';
import { ExpositionError } from '../../src/metrics/exposition-error.js';
import type { Snapshot } from '../../src/metrics/types.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { familyOf } from '../helpers/families.js';

const snapshot = (ccId: number): Snapshot => [
  familyOf({
    name: 'aicc_inbound_calls_total',
    type: 'counter',
    help: 'Inbound calls, cumulated from the 5-minute periods.',
    labelNames: ['cc_id', 'vdn'],
    samples: [{ labels: [String(ccId), '1'], value: 10 * ccId }],
  }),
  familyOf({
    name: 'aicc_agents_online',
    type: 'gauge',
    help: 'Agents signed in.',
    labelNames: ['cc_id', 'vdn'],
    samples: [{ labels: [String(ccId), '1'], value: ccId }],
  }),
];

function setup() {
  const pipeline = createMetricsPipeline({ version: '9.9.9', defaultMetrics: false });
  pipeline.store.set('sysindex:1', snapshot(1));
  pipeline.store.set('sysindex:2', snapshot(2));
  pipeline.self.recordRun(1, 'sysindex', { ok: true, durationSeconds: 1, finishedAtMs: 5000 });
  return pipeline;
}

const joined = (chunks: readonly Buffer[]) => Buffer.concat([...chunks]);

describe('MetricsEndpoint', () => {
  it('joins the vendor part and the live self metrics in text 0.0.4', async () => {
    const { endpoint, self } = setup();
    const body = await endpoint.renderMetrics('text', false);
    expect(body.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body.contentEncoding).toBeUndefined();
    expect(body.byteLength).toBe(joined(body.chunks).length);
    const parsed = parseExposition(joined(body.chunks).toString(), 'text');
    expect(parsed.value('aicc_inbound_calls_total', { cc_id: '2' })).toBe(20);
    expect(parsed.value('aicc_up', { cc_id: '1' })).toBe(1);
    // The self part is live: a new run shows on the next scrape without touching the store.
    self.recordRun(1, 'sysindex', { ok: false, durationSeconds: 1, finishedAtMs: 6000 });
    const again = parseExposition(joined((await endpoint.renderMetrics('text', false)).chunks).toString(), 'text');
    expect(again.value('aicc_up', { cc_id: '1' })).toBe(0);
  });

  it('ends OpenMetrics with a single # EOF after both parts', async () => {
    const { endpoint } = setup();
    const body = await endpoint.renderMetrics('openmetrics', false);
    expect(body.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = joined(body.chunks).toString();
    expect(text.match(/^# EOF$/gm)).toHaveLength(1);
    expect(text.endsWith('# EOF\n')).toBe(true);
    const parsed = parseExposition(text, 'openmetrics');
    expect(parsed.family('aicc_inbound_calls')?.samples.map((s) => s.name)).toEqual([
      'aicc_inbound_calls_total',
      'aicc_inbound_calls_total',
    ]);
  });

  it('gzips as concatenated members that decode to the plain body', async () => {
    const { endpoint } = setup();
    for (const format of ['text', 'openmetrics'] as const) {
      const gz = await endpoint.renderMetrics(format, true);
      expect(gz.contentEncoding).toBe('gzip');
      expect(gz.chunks.length).toBeGreaterThan(1); // several members, not one recompressed body
      const plain = joined((await endpoint.renderMetrics(format, false)).chunks).toString();
      const decoded = gunzipSync(joined(gz.chunks)).toString();
      // Only live process-independent self metrics here, so the bodies match exactly.
      expect(decoded).toBe(plain);
    }
  });

  it('refuses vendor families named like a self metric', () => {
    const { store } = setup();
    expect(() => store.set('x:1', [{ ...snapshot(1)[1]!, name: 'aicc_exporter_build_info' }])).toThrow(ExpositionError);
    // Clashes of OpenMetrics family names: counter aicc_api_requests_total is family aicc_api_requests there.
    expect(() => store.set('x:1', [{ ...snapshot(1)[1]!, name: 'aicc_api_requests' }])).toThrow(ExpositionError);
    expect(() => store.set('x:1', [{ ...snapshot(1)[0]!, name: 'aicc_up_total' }])).toThrow(ExpositionError);
    expect(() => store.set('x:1', [{ ...snapshot(1)[0]!, name: 'aicc_other_total' }])).not.toThrow();
  });
});
