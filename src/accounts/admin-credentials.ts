/** The administrator's access key: from the environment, or made once and kept in the state directory. */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.js';
import { writeJsonFileSync } from '../fsutil/json-file.js';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Where they came from, for the start-up banner. */
  source: 'environment' | 'stored' | 'created';
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A 20-character access key id in AWS's style, and a 40-character secret. */
export function newKeyPair(): { accessKeyId: string; secretAccessKey: string } {
  let id = 'DB';
  while (id.length < 20) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64').replace(/[+/]/g, (c) => (c === '+' ? 'x' : 'y')) };
}

/**
 * DIRBUCKET_ACCESS_KEY and DIRBUCKET_SECRET_KEY when both are set; else the pair stored in
 * `<stateDir>/credentials.json` (readable only by the gateway's user), created on first start.
 */
export function adminCredentials(stateDir: string, env: NodeJS.ProcessEnv = process.env): AdminCredentials {
  const ak = env.DIRBUCKET_ACCESS_KEY;
  const sk = env.DIRBUCKET_SECRET_KEY;
  if (ak || sk) {
    if (!ak || !sk) throw new ConfigError('DIRBUCKET_ACCESS_KEY and DIRBUCKET_SECRET_KEY must be set together');
    return { accessKeyId: ak, secretAccessKey: sk, source: 'environment' };
  }
  const file = path.join(stateDir, 'credentials.json');
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId?: unknown; secretAccessKey?: unknown };
    if (typeof stored.accessKeyId === 'string' && typeof stored.secretAccessKey === 'string') {
      return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey, source: 'stored' };
    }
    throw new ConfigError(`${file}: not a credentials file (expected accessKeyId and secretAccessKey)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`${file}: cannot read stored credentials: ${(e as Error).message}`);
    }
  }
  const pair = newKeyPair();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // Written aside and renamed, so a concurrent first start of another instance never reads half a file.
  writeJsonFileSync(file, { ...pair, created: new Date().toISOString() }, { pretty: true, mode: 0o600 });
  return { ...pair, source: 'created' };
}
