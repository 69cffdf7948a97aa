/**
 * Where a server's CPU time went: reads a V8 .cpuprofile (from `--profile DIR`) and prints self time by
 * function and by source file. Usage: `node dist/bench/profile-summary.js FILE.cpuprofile [TOP] [LAST_MS]`;
 * LAST_MS keeps only the samples of the profile's last milliseconds (e.g. a listing that ended the run).
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time the thread was not idle: the base of every percentage. */
  busyMs: number;
  idleMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
}

/** Sums self time per function and per file, largest first; with `lastMs`, only over the profile's end. */
export function summarizeProfile(profile: CpuProfile, lastMs = Infinity): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    atUs += profile.timeDeltas[i] ?? 0;
    if (totalUs - atUs > lastMs * 1000) return;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const file = shortUrl(frame.url) || `(${frame.functionName || 'native'})`;
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? ':' + (frame.lineNumber + 1) : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    busyMs += ms;
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { busyMs, idleMs, byFunction: sorted(byFunction), byFile: sorted(byFile) };
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'npm:').replace(/^.*\/dist\//, 'dist/');
}

async function main(): Promise<void> {
  const [file, top = '25', lastMs] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [TOP] [LAST_MS]');
  const summary = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, lastMs ? Number(lastMs) : Infinity);
  const pct = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms`;
  console.log(`busy: ${summary.busyMs.toFixed(0)} ms, idle: ${summary.idleMs.toFixed(0)} ms (percentages are of busy time)\n\nself time by file:`);
  for (const [name, ms] of summary.byFile.slice(0, Number(top))) console.log(`${pct(ms)}  ${name}`);
  console.log('\nself time by function:');
  for (const [name, ms] of summary.byFunction.slice(0, Number(top))) console.log(`${pct(ms)}  ${name}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
