/** JSON logs (pino): the server log on standard output, and the access log apart when asked. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

/** A JSON logger at `level`; `silent` logs nothing. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger appending access lines to `file` (made if missing), apart from the server log. */
export function createAccessLog(file: string): Logger {
  return pino({ level: 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: file, append: true, mkdir: true, sync: false }));
}
