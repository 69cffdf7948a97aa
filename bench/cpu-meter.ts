/** How busy the server and the bench client were during one phase, to tell a CPU-bound server from an I/O wait. */
import { cpuSeconds } from './server-process.js';

export interface CpuShare {
  wallSeconds: number;
  /** Server CPU seconds per wall second (1.0 = one core fully busy). */
  serverCores: number;
  /** The same for this (client) process, worker threads included. */
  clientCores: number;
}

/** Runs `fn` and measures both processes' CPU use over it. */
export async function meterCpu<T>(serverPid: number, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuShare }> {
  const server0 = await cpuSeconds(serverPid);
  const client0 = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const wallSeconds = (performance.now() - start) / 1000;
  const server1 = await cpuSeconds(serverPid);
  const client = process.cpuUsage(client0);
  return {
    result,
    cpu: {
      wallSeconds,
      serverCores: (server1 - server0) / wallSeconds,
      clientCores: (client.user + client.system) / 1e6 / wallSeconds,
    },
  };
}

/** e.g. "server 0.97 cores, client 0.41" */
export function describeCpu(cpu: CpuShare): string {
  return `server ${cpu.serverCores.toFixed(2)} cores, client ${cpu.clientCores.toFixed(2)}`;
}
