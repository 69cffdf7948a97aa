/** The job scheduler on real timers: runs on its interval, never two runs of one job at once, failures logged under the job's name, stop() aborts and waits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino, type Logger } from 'pino';
import { Jobs } from '../../src/server/jobs.js';

/** A logger that keeps its lines. */
function capture(): { lines: Record<string, unknown>[]; log: Logger } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds, at most 5 s (timers run late on a busy machine; the assertions bound only what must hold). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done() && Date.now() < deadline) await sleep(5);
}

test('a job runs after firstRunMs, then every intervalMs', async () => {
  const { log } = capture();
  const jobs = new Jobs(log);
  const runs: number[] = [];
  const t0 = Date.now();
  jobs.add({ name: 'tick', firstRunMs: 10, intervalMs: 40, run: async () => void runs.push(Date.now() - t0) });
  await until(() => runs.length >= 3);
  await jobs.stop();
  assert.ok(runs.length >= 3, `runs at ${runs}`);
  assert.ok(runs[0]! >= 9, `first run at ${runs[0]} ms`);
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i]! - runs[i - 1]! >= 39, `runs at ${runs}`);
});

test('a run longer than the interval is not overlapped by the next', async () => {
  const { log } = capture();
  const jobs = new Jobs(log);
  let active = 0;
  let most = 0;
  let runs = 0;
  jobs.add({
    name: 'slow', intervalMs: 5, firstRunMs: 1,
    run: async () => {
      runs++;
      most = Math.max(most, ++active);
      await sleep(30);
      active--;
    },
  });
  await until(() => runs >= 3);
  await jobs.stop();
  assert.ok(runs >= 3, `${runs} runs`);
  assert.equal(most, 1);
});

test('a failure is logged at error with the job\'s name, and the job keeps its schedule', async () => {
  const { lines, log } = capture();
  const jobs = new Jobs(log);
  let runs = 0;
  jobs.add({ name: 'flaky', intervalMs: 10, firstRunMs: 1, run: async () => { if (++runs === 1) throw new Error('disk on fire'); } });
  await until(() => runs >= 2);
  await jobs.stop();
  assert.ok(runs >= 2, `${runs} runs`);
  const failed = lines.filter((l) => l.msg === 'job failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.job, 'flaky');
  assert.equal(failed[0]!.level, 50);
  assert.match(String((failed[0]!.err as { message: string }).message), /disk on fire/);
});

test('stop() aborts the run under way, waits for it, and nothing runs after', async () => {
  const { lines, log } = capture();
  const jobs = new Jobs(log);
  let runs = 0;
  let ended = false;
  jobs.add({
    name: 'long', intervalMs: 1, firstRunMs: 1,
    run: async (signal) => {
      runs++;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 20), { once: true }));
      ended = true;
      signal.throwIfAborted();
    },
  });
  await until(() => runs === 1);
  await jobs.stop();
  assert.equal(ended, true, 'stop() waited for the run');
  assert.equal(runs, 1);
  await sleep(30);
  assert.equal(runs, 1, 'no run after stop()');
  assert.equal(lines.filter((l) => l.msg === 'job failed').length, 0, 'an aborted run is no failure');
  assert.throws(() => jobs.add({ name: 'late', intervalMs: 1, run: async () => {} }), /stopped/);
});

test('two jobs may not share a name', async () => {
  const jobs = new Jobs(capture().log);
  jobs.add({ name: 'a', intervalMs: 1000, run: async () => {} });
  assert.throws(() => jobs.add({ name: 'a', intervalMs: 1000, run: async () => {} }), /already/);
  await jobs.stop();
});

test('jobs run elsewhere (another worker of --workers): add() takes them and never runs them', async () => {
  const { log } = capture();
  const jobs = new Jobs(log, undefined, { elsewhere: true });
  let runs = 0;
  jobs.add({ name: 'tick', firstRunMs: 1, intervalMs: 5, run: async () => void runs++ });
  await sleep(100);
  await jobs.stop();
  assert.equal(runs, 0);
});

test('report(): each job\'s runs, failures, last run and failure, and next run; a job run elsewhere is listed, never run', async () => {
  const { log } = capture();
  const jobs = new Jobs(log);
  let runs = 0;
  jobs.add({ name: 'flaky', intervalMs: 20, firstRunMs: 1, run: async () => { if (++runs === 1) throw new Error('disk on fire'); } });
  const before = jobs.report();
  assert.equal(before.length, 1);
  assert.deepEqual([before[0]!.runs, before[0]!.failures, before[0]!.runsHere, before[0]!.lastRun], [0, 0, true, undefined]);
  assert.ok(Date.parse(before[0]!.nextRun!) <= Date.now() + 1000);
  await until(() => jobs.report()[0]!.runs >= 2);
  const r = jobs.report()[0]!;
  await jobs.stop();
  assert.ok(r.runs >= 2 && r.failures === 1, JSON.stringify(r));
  assert.equal(r.lastFailure?.error, 'disk on fire');
  assert.equal(r.lastRun?.ok, true);
  assert.ok(Date.parse(r.lastRun!.ended) >= Date.parse(r.lastRun!.started));
  assert.ok(r.running || Date.parse(r.nextRun!) > Date.parse(r.lastRun!.ended) - 1, JSON.stringify(r));
  const elsewhere = new Jobs(log, undefined, { elsewhere: true });
  let ran = false;
  elsewhere.add({ name: 'other', intervalMs: 1, firstRunMs: 1, run: async () => void (ran = true) });
  await sleep(30);
  await elsewhere.stop();
  assert.equal(ran, false);
  assert.deepEqual(elsewhere.report().map((j) => [j.name, j.runsHere, j.runs, j.nextRun]), [['other', false, 0, undefined]]);
});
