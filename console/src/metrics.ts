/**
 * The server's Prometheus metrics (GET /metrics on the admin listener), read into the few totals the server page
 * charts: requests, requests answered with an error status, and the time spent answering them.
 */

/** Totals at one moment. */
export interface MetricTotals {
  at: number;
  requests: number;
  /** Answered 4xx or 5xx. */
  errors: number;
  /** Sum and count of dirbucket_request_duration_seconds. */
  seconds: number;
  timed: number;
}

/** One rate between two samples. */
export interface Rates {
  at: number;
  requestsPerSecond: number;
  errorsPerSecond: number;
  /** Mean time to answer a request in the interval, in milliseconds (0 without requests). */
  meanMs: number;
}

/** The totals in a Prometheus text exposition. */
export function totalsOf(text: string, at: number): MetricTotals {
  const t: MetricTotals = { at, requests: 0, errors: 0, seconds: 0, timed: 0 };
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([^ ]+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === 'dirbucket_requests_total') {
      t.requests += value;
      const status = /status="(\d+)"/.exec(m[2] ?? '')?.[1];
      if (status && Number(status) >= 400) t.errors += value;
    } else if (m[1] === 'dirbucket_request_duration_seconds_sum') {
      t.seconds += value;
    } else if (m[1] === 'dirbucket_request_duration_seconds_count') {
      t.timed += value;
    }
  }
  return t;
}

/** The rates from `a` to `b` (a restart, when counters go down, reads as zero). */
export function ratesBetween(a: MetricTotals, b: MetricTotals): Rates {
  const dt = Math.max((b.at - a.at) / 1000, 0.001);
  const d = (x: number, y: number) => Math.max(y - x, 0);
  const timed = d(a.timed, b.timed);
  return {
    at: b.at,
    requestsPerSecond: d(a.requests, b.requests) / dt,
    errorsPerSecond: d(a.errors, b.errors) / dt,
    meanMs: timed ? (d(a.seconds, b.seconds) / timed) * 1000 : 0,
  };
}

/** The metrics now. */
export async function sampleMetrics(): Promise<MetricTotals> {
  const r = await fetch('/metrics', { cache: 'no-store' });
  if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
  return totalsOf(await r.text(), Date.now());
}
