/**
 * The exporter against a hostile CMS (test/helpers/fake-cms-server.ts), the whole app running:
 * - it only ever sends requests to cms.url: answers full of URLs and host names, Location /
 *   Link / Refresh headers and 301/302/307 redirects to another local server, and call IDs that
 *   are URLs, never make it contact that server (the transport never follows a redirect);
 * - the landing page escapes what the CMS says: a resultDesc with <script>, <img onerror> and
 *   markup that tries to close the table reaches the page's "Last error" cell escaped;
 * - a CMS that echoes the Authorization header (whole, or only its signature) in resultDesc does
 *   not get it onto the landing page, /metrics or the log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { DEFAULT_CMS_PATHS } from '../../src/cms/cms-paths.js';
import { demoConfig } from '../../src/config/index.js';
import { captureLogger, recordOutput } from '../helpers/capture-logger.js';
import { startFakeCmsServer, TEST_AK, TEST_SK, type FakeCmsServer, type FakeHandler } from '../helpers/fake-cms-server.js';
import { parseExposition } from '../helpers/parse-exposition.js';

const CALL_CENTERS = [{ ccId: 1, vdns: [{ id: 1, accessCodes: [1], agents: [101] }] }];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fake CMS answering with `handler`, and the app polling it every second. */
async function startAgainst(handler: FakeHandler) {
  const cms: FakeCmsServer = await startFakeCmsServer({ handler });
  cleanups.push(() => cms.close());
  const log = captureLogger('debug');
  const every = (key: string) => ({ [`collectors.${key}.intervalSeconds`]: 1 });
  const config = demoConfig(cms.url, TEST_AK, TEST_SK, CALL_CENTERS, {
    'listen.host': '127.0.0.1',
    'listen.port': 0,
    'cms.retries': 0,
    ...every('sysindex'), ...every('accessCodes'), ...every('ctiServerTime'), ...every('agentCalls'),
  });
  const app: RunningApp = await startApp({ config, logger: log.logger });
  cleanups.push(() => app.stop());
  return { cms, app, log };
}

/** aicc_api_requests_total as `endpoint code` strings. */
async function requestCodes(app: RunningApp): Promise<string[]> {
  return parseExposition(await app.metrics.self.render('text'), 'text')
    .samples()
    .filter((s) => s.name === 'aicc_api_requests_total')
    .map((s) => `${s.labels.endpoint} ${s.labels.code}`);
}

async function page(url: string): Promise<string> {
  const text = await (await fetch(url)).text();
  recordOutput('http', text);
  return text;
}

const periodStart = () => Math.floor(Date.now() / 300_000) * 300_000;
const ROW = { ccId: 1, vdn: 1, onlineAgentNums: 1, talkingNums: 1, ideaAgentNum: 0, busyNums: 0, restNums: 0, inCallNums: 1, rateNum: 1, callRate: 100, callOutNums: 0 };

describe('a hostile CMS', () => {
  it('cannot make the exporter call anywhere but cms.url (URLs in answers, redirects)', async () => {
    let elsewhere = 0;
    const other = http.createServer((_req, res) => res.end('{}'));
    other.on('connection', () => elsewhere++);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const OTHER = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const lure = { location: `${OTHER}/loc`, 'content-location': `${OTHER}/cl`, link: `<${OTHER}/next>; rel="next"`, refresh: `0; url=${OTHER}/r` };
    const P = DEFAULT_CMS_PATHS;

    const { cms, app } = await startAgainst((req) => {
      switch (req.path) {
        case P.sysindex:
          return {
            headers: lure,
            body: {
              resultCode: '0100000',
              next: `${OTHER}/page2`,
              resultDesc: { count: 2, next: `${OTHER}/page2`, data: [{ ...ROW, beginTime: periodStart(), url: `${OTHER}/row`, host: '127.0.0.2:9' }] },
            },
          };
        case P.ctiServerTime:
          return { status: 302, headers: lure };
        case P.accessCodeCallInfo:
          return { status: 307, headers: { location: `${OTHER}/307` } };
        case P.agentCalls:
          return { body: { resultCode: '0100000', resultDesc: [`${OTHER}/call`, `//127.0.0.1:9/x`, '1605492949-1447'] } };
        default:
          return { status: 301, headers: { location: `${OTHER}/301` } };
      }
    });

    const expected = [
      'sysindex 0100000',
      'cti_server_time http_302',
      'access_code_call_info http_307',
      'agent_calls 0100000',
      'basic_call_info http_301',
    ];
    await vi.waitFor(async () => expect(await requestCodes(app)).toEqual(expect.arrayContaining(expected)), { timeout: 15_000, interval: 200 });
    // Several more rounds, then: nothing ever reached the other server.
    const seen = cms.requests.length;
    await vi.waitFor(() => expect(cms.requests.length).toBeGreaterThan(seen + 8), { timeout: 15_000, interval: 200 });
    expect(elsewhere).toBe(0);
    expect(new Set(cms.requests.map((r) => r.path))).toEqual(new Set(Object.values(P)));
    expect(cms.requests.every((r) => r.method === 'POST' && r.signatureValid)).toBe(true);
    // A call id that is a URL is refused before sending; only the well-formed one is looked up.
    const looked = cms.requests.filter((r) => r.path === P.basicCallInfo).map((r) => (r.json as { callId: string }).callId);
    expect(new Set(looked)).toEqual(new Set(['1605492949-1447']));
    expect(await requestCodes(app)).not.toContain(expect.stringMatching(/^\S+ (http_2\d\d|network)$/));
  }, 60_000);

  it('gets its markup onto the landing page only escaped, and its echo of our Authorization nowhere', async () => {
    const { cms, app, log } = await startAgainst((req) => {
      const auth = req.authorization ?? '';
      const signature = auth.slice(-64);
      switch (req.path) {
        case DEFAULT_CMS_PATHS.sysindex:
          return { body: { resultCode: '0100002', resultDesc: `<script>alert("x")</script><img src=x onerror=alert(1)> & 'q' ${auth}` } };
        case DEFAULT_CMS_PATHS.ctiServerTime:
          return { body: { resultCode: '0100999', resultDesc: `signature ${signature} </td></tr></table><a href="javascript:alert(2)">click</a>` } };
        case DEFAULT_CMS_PATHS.accessCodeCallInfo:
          return { status: 500, body: `<html>${auth}</html>` };
        default:
          return { body: { resultCode: '0101003', resultDesc: `<iframe src="//evil"></iframe>${auth}` } };
      }
    });
    const url = app.url;
    await vi.waitFor(async () => expect((await page(`${url}/`)).match(/<td>[^<]*resultCode[^<]*<\/td>/g)?.length).toBe(3), { timeout: 15_000, interval: 200 });
    const landing = await page(`${url}/`);

    for (const raw of ['<script', '<img', '<iframe', '<a href="javascript', '</table><a']) expect(landing).not.toContain(raw);
    expect(landing).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;');
    expect(landing).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;a href=&quot;javascript:alert(2)&quot;&gt;');
    expect(landing.match(/<table>/g)).toHaveLength(1);
    expect(landing.match(/<tr>/g)).toHaveLength(1 + 4); // header + one row per collector
    expect(landing).toContain('[redacted]');

    const sent = cms.requests.map((r) => r.authorization ?? '');
    expect(sent.length).toBeGreaterThan(0);
    const metrics = await page(`${url}/metrics`);
    for (const [what, text] of [['landing page', landing], ['/metrics', metrics], ['log', log.text()]] as const) {
      for (const auth of sent) {
        expect(text.includes(auth) || text.includes(auth.slice(-64)), `${what} holds the Authorization`).toBe(false);
      }
      expect(text).not.toContain(TEST_SK);
    }
  }, 60_000);
});
