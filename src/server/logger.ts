/** JSON logs (pino) on standard output. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

/** A JSON logger at `level`; `silent` logs nothing. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
