/** What admin API routes check of a request: the administrator's right, and the fields of a JSON body. */
import { S3Error } from '../../errors/s3-error.js';
import type { ApiRequest } from './api-types.js';

/** Throws 403 AccessDenied, saying so plainly, unless the signer is an administrator. */
export function requireAdmin(req: ApiRequest, what: string): void {
  if (!req.principal.admin) throw new S3Error('AccessDenied', `Only an administrator may ${what}; user ${req.principal.user} is not one.`);
}

/** The body as a JSON object; MalformedJSON otherwise. */
export function objectBody(req: ApiRequest): Record<string, unknown> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new S3Error('MalformedJSON', 'The body must be a JSON object.');
  return b as Record<string, unknown>;
}

/** Field `name` of `o` as a string (required unless `optional`); MalformedJSON naming the field otherwise. */
export function stringField(o: Record<string, unknown>, name: string, optional: true): string | undefined;
export function stringField(o: Record<string, unknown>, name: string, optional?: false): string;
export function stringField(o: Record<string, unknown>, name: string, optional = false): string | undefined {
  const v = o[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new S3Error('MalformedJSON', `"${name}" must be a string${optional ? ' when given' : ''}.`);
  return v;
}

/** Field `name` of `o` as a boolean (false when absent); MalformedJSON otherwise. */
export function booleanField(o: Record<string, unknown>, name: string): boolean {
  const v = o[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new S3Error('MalformedJSON', `"${name}" must be true or false.`);
  return v;
}

/** Runs a users-file change whose plain Errors (bad name, unknown user...) are the client's mistake: 400 with the message. */
export async function asClientError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof S3Error || (e as NodeJS.ErrnoException).code !== undefined) throw e;
    throw new S3Error('InvalidArgument', (e as Error).message);
  }
}
