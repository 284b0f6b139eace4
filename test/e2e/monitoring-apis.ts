/**
 * Minimal clients of the Prometheus HTTP API (v1) and the Alertmanager API (v2), and the bounded
 * poll every wait of the e2e test goes through.
 */

/** Per HTTP request, ms: a hung server must fail the poll, not the whole suite's timeout. */
const REQUEST_TIMEOUT_MS = 5_000;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

/** One series of a query result: its labels and how many samples it has (1 for an instant vector). */
export interface SeriesResult {
  metric: Record<string, string>;
  samples: number;
  /** The last sample's value. */
  lastValue: number;
}

/** A rule as /api/v1/rules reports it (only the fields the test reads). */
export interface RuleInfo {
  group: string;
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: string;
  lastError?: string;
}

/** An alert as /api/v1/alerts reports it. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

/** An alert as Alertmanager's /api/v2/alerts reports it. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  receivers: Array<{ name: string }>;
}

interface PromEnvelope<T> {
  status: string;
  data: T;
  error?: string;
}

function data<T>(body: unknown, what: string): T {
  const env = body as PromEnvelope<T>;
  if (env.status !== 'success') throw new Error(`${what}: ${env.error ?? JSON.stringify(body).slice(0, 300)}`);
  return env.data;
}

/** Prometheus's HTTP API at `baseUrl` (http://127.0.0.1:PORT). */
export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  /** Instant query at the current time. */
  async query(expr: string): Promise<SeriesResult[]> {
    const d = data<{ resultType: string; result: unknown }>(
      await getJson(`${this.baseUrl}/api/v1/query?query=${encodeURIComponent(expr)}`),
      `query ${expr}`,
    );
    if (d.resultType === 'scalar') {
      const [, v] = d.result as [number, string];
      return [{ metric: {}, samples: 1, lastValue: Number(v) }];
    }
    if (d.resultType !== 'vector') throw new Error(`query ${expr}: unexpected result type ${d.resultType}`);
    return (d.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({
      metric: s.metric,
      samples: 1,
      lastValue: Number(s.value[1]),
    }));
  }

  /** Range query over the last `rangeSeconds`, one point every `stepSeconds` (what a graph panel runs). */
  async queryRange(expr: string, rangeSeconds: number, stepSeconds: number): Promise<SeriesResult[]> {
    const end = Date.now() / 1000;
    const params = new URLSearchParams({ query: expr, start: String(end - rangeSeconds), end: String(end), step: String(stepSeconds) });
    const d = data<{ result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }>(
      await getJson(`${this.baseUrl}/api/v1/query_range?${params.toString()}`),
      `query_range ${expr}`,
    );
    return d.result.map((s) => ({ metric: s.metric, samples: s.values.length, lastValue: Number(s.values.at(-1)?.[1]) }));
  }

  /** Every rule of every loaded group. */
  async rules(): Promise<RuleInfo[]> {
    const d = data<{ groups: Array<{ name: string; rules: Array<Omit<RuleInfo, 'group' | 'type'> & { type: string }> }> }>(
      await getJson(`${this.baseUrl}/api/v1/rules`),
      'rules',
    );
    return d.groups.flatMap((g) =>
      g.rules.map((r) => ({ ...r, group: g.name, type: r.type === 'recording' ? 'recording' : 'alerting' }) as RuleInfo),
    );
  }

  /** Active (pending or firing) alerts. */
  async alerts(): Promise<PrometheusAlert[]> {
    return data<{ alerts: PrometheusAlert[] }>(await getJson(`${this.baseUrl}/api/v1/alerts`), 'alerts').alerts;
  }

  /** Scrape targets with their health. */
  async targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>> {
    return data<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> }>(
      await getJson(`${this.baseUrl}/api/v1/targets`),
      'targets',
    ).activeTargets;
  }
}

/** Alertmanager's API v2 at `baseUrl`. */
export class AlertmanagerApi {
  constructor(readonly baseUrl: string) {}

  /** Alerts Alertmanager holds (active, silenced and inhibited), optionally filtered by label matchers. */
  async alerts(filter: string[] = []): Promise<AlertmanagerAlert[]> {
    const q = filter.map((f) => `filter=${encodeURIComponent(f)}`).join('&');
    return (await getJson(`${this.baseUrl}/api/v2/alerts${q ? `?${q}` : ''}`)) as AlertmanagerAlert[];
  }
}

/**
 * Calls `probe` every `everyMs` until it returns a value other than undefined, or throws once
 * `timeoutMs` has passed, with `describe()` of the last thing seen (or the last probe error) in
 * the message: a timeout must say what was observed, not just "timed out".
 */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  describe: () => string,
  everyMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined) return result;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\nlast seen: ${describe()}${cause}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
