/**
 * Liveness and readiness, as load balancers and Kubernetes probe them: live while the process serves; ready only
 * while every bucket directory and the state directory can be reached and written.
 */
import type { AdminAnswer } from './admin-exchange.js';

/** Finds what keeps the gateway from serving now; empty when ready. */
export type ReadinessCheck = () => Promise<string[]>;

/** The answer to a liveness probe: answering at all is the proof. */
export function liveAnswer(): AdminAnswer {
  return json(200, { status: 'live' });
}

/** The answer to a readiness probe: 200, or 503 with the reasons. */
export async function readyAnswer(check: ReadinessCheck): Promise<AdminAnswer> {
  const problems = await check().catch((e: unknown) => [`readiness check failed: ${(e as Error)?.message ?? e}`]);
  return problems.length ? json(503, { status: 'not ready', problems }) : json(200, { status: 'ready' });
}

/** A JSON answer that no cache keeps. */
export function json(status: number, value: unknown): AdminAnswer {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(value) + '\n' };
}
