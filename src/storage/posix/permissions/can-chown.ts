/** Whether this process may give files to other users: root's CAP_CHOWN, read from the kernel. */
import { readFileSync } from 'node:fs';

const CAP_CHOWN = 0n;

/** True when the effective capability set holds CAP_CHOWN (as root normally does). */
export function canChown(status = readStatus()): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return process.geteuid?.() === 0; // no /proc: trust the uid
  return ((BigInt(`0x${m[1]}`) >> CAP_CHOWN) & 1n) === 1n;
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}
