/**
 * How busy the server, the bench client and everything else on the host were during one phase, to tell a
 * CPU-bound server from an I/O wait, and a clean figure from one taken while other work ran on the machine.
 */
import { readFile } from 'node:fs/promises';
import { cpuSeconds } from './server-process.js';

export interface CpuShare {
  wallSeconds: number;
  /** Server CPU seconds per wall second (1.0 = one core fully busy). */
  serverCores: number;
  /** The same for this (client) process, worker threads included. */
  clientCores: number;
  /**
   * The same for processes this one started and reaped meanwhile: a phase's own servers and command-line runs
   * (lifecycle's dry-run scan, workers' servers). They are the phase's work, not other load on the host.
   */
  childCores: number;
  /** The same for every other process on the host. */
  otherCores: number;
}

/** Runs `fn` and measures the CPU use of the server, this process and the rest of the host over it. */
export async function meterCpu<T>(serverPid: number, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuShare }> {
  const host0 = await hostBusySeconds();
  const server0 = await cpuSeconds(serverPid);
  const client0 = process.cpuUsage();
  const children0 = await reapedChildrenSeconds();
  const start = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - start) / 1000;
  const server = (await cpuSeconds(serverPid)) - server0;
  const clientUsage = process.cpuUsage(client0);
  const client = (clientUsage.user + clientUsage.system) / 1e6;
  const children = (await reapedChildrenSeconds()) - children0;
  const host = (await hostBusySeconds()) - host0;
  return {
    result,
    cpu: {
      wallSeconds,
      serverCores: server / wallSeconds,
      clientCores: client / wallSeconds,
      childCores: children / wallSeconds,
      otherCores: Math.max(0, host - server - client - children) / wallSeconds,
    },
  };
}

/**
 * CPU seconds of this process's children that have ended and been waited for (cutime + cstime of
 * /proc/self/stat): a child still running (the bench's main server) is not in it until it ends.
 */
async function reapedChildrenSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // Fields after the command name in parentheses: state is field 3, cutime 16 and cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ
}

/** Busy CPU seconds of the whole host since boot (all but idle and iowait), from /proc/stat. */
export async function hostBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100; // USER_HZ
}

/** e.g. "server 0.97 cores, client 0.41, others 0.02" */
export function describeCpu(cpu: CpuShare): string {
  return `server ${cpu.serverCores.toFixed(2)} cores, client ${cpu.clientCores.toFixed(2)}, others ${cpu.otherCores.toFixed(2)}`;
}
