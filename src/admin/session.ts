/**
 * Console sessions: an access key and secret exchanged once for a random token, kept in an HttpOnly cookie.
 * The table lives under the state directory (one small file per session, named by the token's SHA-256), so every
 * worker of `--workers` sees the same sessions and a stolen copy of the directory holds no usable token. A
 * session ends at its expiry, at sign-out, or as soon as its key is revoked, expires or its user is removed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { sweepAtomicTemps } from '../fsutil/atomic-temp.js';
import { readJsonFile, writeJsonFile } from '../fsutil/json-file.js';

/** The sessions' directory in the state directory. */
export const ADMIN_SESSIONS_DIR = 'admin-sessions';
/** The cookie that carries the session token. */
export const SESSION_COOKIE = 'dirbucket_session';
/** The header a state-changing request must carry, equal to the session's CSRF token. */
export const CSRF_HEADER = 'x-dirbucket-csrf';
/** A session file's write (milliseconds) cut short this long ago, its writer not known to be gone, was killed. */
const TEMP_GRACE_MS = 60_000;
/** How long a session lasts from sign-in (8 hours: a working day, not a week). */
export const SESSION_TTL_MS = 8 * 3600_000;

/** One session as stored. */
export interface Session {
  user: string;
  accessKeyId: string;
  /** Sent back in the x-dirbucket-csrf header by the console on every change. */
  csrfToken: string;
  created: string;
  expires: string;
}

/** The session table under `dir`. */
export class SessionStore {
  constructor(private readonly dir: string, private readonly ttlMs = SESSION_TTL_MS) {}

  /** A new session for `user`'s key: its token (for the cookie only) and the stored session. */
  async create(user: string, accessKeyId: string, now = new Date()): Promise<{ token: string; session: Session }> {
    await this.sweep(now).catch(() => {});
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      user, accessKeyId, csrfToken: randomBytes(24).toString('base64url'),
      created: now.toISOString(), expires: new Date(now.getTime() + this.ttlMs).toISOString(),
    };
    // Readable only by the gateway's user; the token itself is not in it (only its hash names the file).
    await writeJsonFile(this.fileOf(token), session, { mode: 0o600, mkdir: 0o700 });
    return { token, session };
  }

  /** The session of `token`, or undefined when there is none or it expired (then it is removed). */
  async find(token: string, now = new Date()): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const session = await readJsonFile<Session>(this.fileOf(token)).catch(() => undefined);
    if (!session) return undefined;
    if (!(new Date(session.expires).getTime() > now.getTime())) {
      await this.end(token);
      return undefined;
    }
    return session;
  }

  /** Ends the session of `token` (sign-out); nothing when there is none. */
  async end(token: string): Promise<void> {
    await unlink(this.fileOf(token)).catch(() => {});
  }

  /** Removes expired sessions, so that the table does not grow with sign-ins that never signed out, and the temporaries of killed writes. */
  private async sweep(now: Date): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await sweepAtomicTemps(this.dir, { names, graceMs: TEMP_GRACE_MS, now: now.getTime() });
    await Promise.all(names.filter((n) => n.endsWith('.json')).map(async (n) => {
      const s = await readJsonFile<Session>(path.join(this.dir, n)).catch(() => undefined);
      if (s && !(new Date(s.expires).getTime() > now.getTime())) await unlink(path.join(this.dir, n)).catch(() => {});
    }));
  }

  private fileOf(token: string): string {
    return path.join(this.dir, createHash('sha256').update(token).digest('hex') + '.json');
  }
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
