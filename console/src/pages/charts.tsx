/** Request rate, errors and latency from the metrics, sampled every few seconds while the page is open. */
import { useEffect, useState } from 'preact/hooks';
import { ratesBetween, sampleMetrics, type MetricTotals, type Rates } from '../metrics.js';
import { ErrorNote } from '../ui.js';

const EVERY_MS = 5000;
/** Five minutes of samples. */
const KEEP = 60;

/** A small line chart of `values` (oldest first), with its latest value and the largest seen, as text too. */
function Spark({ label, values, unit }: { label: string; values: number[]; unit: string }) {
  const w = 300;
  const h = 60;
  const max = Math.max(...values, 1e-9);
  const points = values.map((v, i) => `${values.length < 2 ? w : (i / (KEEP - 1)) * w},${h - (v / max) * (h - 4) - 2}`).join(' ');
  const last = values.at(-1) ?? 0;
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return (
    <figure class="chart" data-chart={label}>
      <figcaption>{label}: <strong>{fmt(last)} {unit}</strong> <small>(peak {fmt(values.length ? Math.max(...values) : 0)})</small></figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label}, the last ${values.length} samples, latest ${fmt(last)} ${unit}`}>
        <polyline points={points} fill="none" stroke="currentColor" stroke-width="2" />
      </svg>
    </figure>
  );
}

/** The charts: the first rate shows after two samples. */
export function Charts() {
  const [rates, setRates] = useState<Rates[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let last: MetricTotals | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const now = await sampleMetrics();
        if (stopped) return;
        if (last) {
          const r = ratesBetween(last, now);
          setRates((all) => [...all, r].slice(-KEEP));
        }
        last = now;
        setError(undefined);
      } catch (e) {
        setError(e);
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return (
    <div class="charts">
      <ErrorNote error={error} />
      {rates.length === 0 ? <p>Sampling the metrics every {EVERY_MS / 1000} s…</p> : null}
      <Spark label="Requests" values={rates.map((r) => r.requestsPerSecond)} unit="/s" />
      <Spark label="Errors (4xx, 5xx)" values={rates.map((r) => r.errorsPerSecond)} unit="/s" />
      <Spark label="Mean latency" values={rates.map((r) => r.meanMs)} unit="ms" />
    </div>
  );
}
