/** What the bench ran on, read from the running system so RESULTS.md never guesses. */
import os from 'node:os';
import { readFile, realpath } from 'node:fs/promises';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  fileSystem: string;
  node: string;
}

/** Describes this host; `dataDir` is where the server's files live, for its file system type. */
export async function describeMachine(dataDir: string): Promise<Machine> {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    fileSystem: await fileSystemOf(dataDir),
    node: process.version,
  };
}

/** The type and device of the mount that holds `dir`: the longest mount point that is a prefix of its real path. */
async function fileSystemOf(dir: string): Promise<string> {
  const path = await realpath(dir);
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((line) => line.split(' '));
  let best: string[] | undefined;
  for (const m of mounts) {
    const point = m[1]?.replace(/\\040/g, ' ');
    if (!point || !(path === point || path.startsWith(point.endsWith('/') ? point : point + '/'))) continue;
    if (!best || point.length >= best[1]!.length) best = m;
  }
  return best ? `${best[2]} (${best[0]} on ${best[1]})` : 'unknown';
}
