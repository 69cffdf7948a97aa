/**
 * The gateway's Prometheus metrics (prom-client): requests, their duration and bytes, requests in flight, open
 * multipart uploads, background jobs, certificate expiry and the process metrics the library gives. Labels take
 * only bounded values (operation names from the operation table, status codes, S3 error codes, configured file
 * names), never keys, bucket names or anything else a client sends.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What one finished request adds to the metrics. */
export interface RequestRecord {
  operation?: string;
  status: number;
  error?: string;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
}

/** What a scrape asks the rest of the gateway, at scrape time. */
export interface MetricSources {
  openMultipartUploads?: () => Promise<number>;
  /** Each certificate served: its file and its notAfter. */
  certificates?: () => { file: string; notAfter: string }[];
}

// From 5 ms (a HEAD from cache) to 5 min (a large upload).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The metrics of one process; the primary of --workers adds up those of every worker. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'dirbucket_requests_total', help: 'Requests answered, by S3 operation, HTTP status and S3 error code',
    labelNames: ['operation', 'status', 'code'] as const, registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'dirbucket_request_duration_seconds', help: 'Time from a request\'s arrival to its last byte sent, by S3 operation',
    labelNames: ['operation'] as const, buckets: DURATION_BUCKETS, registers: [this.registry],
  });
  private readonly received = new Counter({ name: 'dirbucket_received_bytes_total', help: 'Bytes received from clients (headers and bodies)', registers: [this.registry] });
  private readonly sent = new Counter({ name: 'dirbucket_sent_bytes_total', help: 'Bytes sent to clients (headers and bodies)', registers: [this.registry] });
  private readonly inFlight = new Gauge({ name: 'dirbucket_requests_in_flight', help: 'Requests being answered now', registers: [this.registry] });
  private readonly jobRuns = new Counter({ name: 'dirbucket_job_runs_total', help: 'Background job runs, by job', labelNames: ['job'] as const, registers: [this.registry] });
  private readonly jobFailures = new Counter({ name: 'dirbucket_job_failures_total', help: 'Background job runs that failed, by job', labelNames: ['job'] as const, registers: [this.registry] });
  // Summed over workers (--workers), a time or a count every worker reads alike would be multiplied: the greatest.
  private readonly jobSuccess = new Gauge({
    name: 'dirbucket_job_last_success_timestamp_seconds', help: 'When each background job last ran without failing (Unix time)',
    labelNames: ['job'] as const, registers: [this.registry], aggregator: 'max',
  });

  constructor(sources: MetricSources = {}, opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const { openMultipartUploads, certificates } = sources;
    if (openMultipartUploads) {
      new Gauge({
        name: 'dirbucket_multipart_uploads_open', help: 'Multipart uploads created and not yet completed or aborted', registers: [this.registry], aggregator: 'max',
        async collect() {
          this.set(await openMultipartUploads());
        },
      });
    }
    if (certificates) {
      new Gauge({
        name: 'dirbucket_tls_certificate_expiry_timestamp_seconds', help: 'When each certificate served expires (notAfter, Unix time), by certificate file',
        labelNames: ['certificate'] as const, registers: [this.registry], aggregator: 'max',
        collect() {
          this.reset();
          for (const c of certificates()) this.set({ certificate: c.file }, new Date(c.notAfter).getTime() / 1000);
        },
      });
    }
  }

  /** A request arrived. */
  started(): void {
    this.inFlight.inc();
  }

  // Label children by their values: prom-client hashes and checks a label object on every call, a cost on each
  // request that a lookup here avoids. Bounded as the labels are (operations × statuses × error codes).
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(v: number): void }>();

  /** A request finished. */
  finished(r: RequestRecord): void {
    this.inFlight.dec();
    const operation = r.operation ?? 'none';
    const code = r.error ?? '';
    const id = `${operation} ${r.status} ${code}`;
    let counted = this.requestChildren.get(id);
    if (!counted) this.requestChildren.set(id, (counted = this.requests.labels({ operation, status: String(r.status), code })));
    counted.inc();
    let timed = this.durationChildren.get(operation);
    if (!timed) this.durationChildren.set(operation, (timed = this.duration.labels({ operation })));
    timed.observe(r.seconds);
    this.received.inc(r.bytesIn);
    this.sent.inc(r.bytesOut);
  }

  /** A background job ran; `ok` unless it failed. */
  jobRan(job: string, ok: boolean): void {
    this.jobRuns.inc({ job });
    if (ok) this.jobSuccess.set({ job }, Date.now() / 1000);
    else this.jobFailures.inc({ job });
  }
}
