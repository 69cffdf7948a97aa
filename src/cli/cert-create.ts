/** `dirbucket cert create`: a self-signed certificate and key for a quick start, made by the openssl command. */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from '../config/config.js';

/** What to make. */
export interface SelfSignedOptions {
  hosts: string[];
  days: number;
  certFile: string;
  keyFile: string;
}

/**
 * Writes a self-signed pair (ECDSA P-256) valid for `hosts` (DNS names or IP addresses) for `days`.
 * Why openssl: node:crypto cannot issue certificates, and a quick start should not need another dependency.
 */
export function createSelfSigned(o: SelfSignedOptions): void {
  if (!o.hosts.length) throw new ConfigError('cert create: name at least one --host (a DNS name or an IP address)');
  for (const f of [o.certFile, o.keyFile]) if (existsSync(f)) throw new ConfigError(`cert create: ${f} exists; remove it or choose another file`);
  const san = o.hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  // The key file is made first, readable by its owner only, so the key is never readable by others on its way in.
  closeSync(openSync(o.keyFile, 'wx', 0o600));
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256',
    '-days', String(o.days), '-subj', `/CN=${o.hosts[0]}`, '-addext', `subjectAltName=${san}`,
    '-keyout', o.keyFile, '-out', o.certFile,
  ], { encoding: 'utf8' });
  if (r.error || r.status !== 0) rmSync(o.keyFile, { force: true });
  if (r.error) throw new ConfigError(`cert create: cannot run openssl (${(r.error as NodeJS.ErrnoException).code}); install it, or bring a certificate of your own`);
  if (r.status !== 0) throw new ConfigError(`cert create: openssl failed: ${String(r.stderr).trim()}`);
}
