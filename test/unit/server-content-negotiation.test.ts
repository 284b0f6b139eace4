import { describe, expect, it } from 'vitest';
import { acceptsGzip, negotiateFormat } from '../../src/server/content-negotiation.js';
import { escapeHtml, renderLandingPage } from '../../src/server/landing-page.js';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['*/*', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    // Prometheus 2.x default scrape_protocols
    ['application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2', 'openmetrics'],
    // Prometheus 3.x with protobuf first (not served: falls to OpenMetrics)
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=1.0.0;q=0.3', 'openmetrics'],
    ['text/plain;q=0.9,application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['garbage;;;,', 'text'],
  ] as const)('Accept %j → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['GZIP;q=0.5', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['*', true],
    ['*;q=1, gzip;q=0', false],
  ] as const)('Accept-Encoding %j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('landing page', () => {
  it('escapes every value it shows', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderLandingPage(
      [
        { collector: 'sysindex<b>', ccId: 1, lastRunAt: 0, lastSuccessAt: 0, lastError: '<script>alert("x")</script>', running: false },
        { collector: 'access_codes', ccId: 2, running: true },
      ],
      '1.0.0"><script>',
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('<title>AICC Exporter</title>');
    expect(html).toContain('href="./metrics"');
    expect(html).toContain('href="./-/healthy"');
    expect(html).toContain('href="./-/ready"');
    expect(html).toContain('1970-01-01T00:00:00.000Z');
    expect(html).toContain('<td>running</td>');
  });
});
