/**
 * The certificates an HTTPS listener serves: loaded and checked at start, chosen by SNI, reloaded when their files
 * change or on SIGHUP. A bad replacement keeps the certificate in use and says why; open connections are never
 * touched, new handshakes get the new certificate.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsPair } from '../../config/tls-pairs.js';
import { EXPIRY_WARNING_DAYS, type CertificateInfo } from './certificate-info.js';
import { loadPair, type LoadedPair } from './certificate-pair.js';
import { CIPHERS, MIN_VERSION } from './tls-settings.js';

interface Served {
  pair: LoadedPair;
  context: SecureContext;
}

// Renewal tools write several files in a row (certificate, then key); one reload after they settle.
const SETTLE_MS = 300;

/** Whether `name` (from SNI) is one of `names`; `*.example.com` covers exactly one more label. */
function covers(names: string[], name: string): boolean {
  return names.some((n) => n === name || (n.startsWith('*.') && name.endsWith(n.slice(1)) && !name.slice(0, -n.length + 1).includes('.')));
}

/** Loaded pairs behind one HTTPS listener. */
export class CertificateStore {
  private served: Served[];
  private readonly listeners = new Set<() => void>();
  private watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;

  private constructor(loaded: LoadedPair[]) {
    this.served = loaded.map(serve);
  }

  /** Loads and checks every pair; throws a CertificateError naming the first file at fault. */
  static async load(pairs: TlsPair[]): Promise<CertificateStore> {
    if (!pairs.length) throw new Error('CertificateStore needs at least one pair');
    return new CertificateStore(await Promise.all(pairs.map((p) => loadPair(p))));
  }

  /** The first pair's key and certificate: served to clients that send no SNI or a name no pair covers. */
  get defaultPair(): { key: Buffer; cert: Buffer } {
    const { key, cert } = this.served[0]!.pair;
    return { key, cert };
  }

  /** The TLS context for a client asking for `servername`; the first pair's when none covers it. */
  contextFor(servername: string): SecureContext {
    const name = servername.toLowerCase();
    return (this.served.find((s) => covers(s.pair.info.names, name)) ?? this.served[0]!).context;
  }

  /** Each certificate served, described as of now. */
  status(now = Date.now()): CertificateInfo[] {
    return this.served.map((s) => ({ ...s.pair.info, daysLeft: Math.floor((new Date(s.pair.info.notAfter).getTime() - now) / 86_400_000) }));
  }

  /** Calls `fn` after every reload that changed a certificate. */
  onChange(fn: () => void): void {
    this.listeners.add(fn);
  }

  /**
   * Reads every pair again: a pair whose files changed and check out replaces the one served, a pair that fails
   * keeps the one served (and is logged). Resolves with how many pairs changed.
   */
  async reload(log: Logger): Promise<number> {
    let changed = 0;
    const next = await Promise.all(this.served.map(async (s) => {
      try {
        const pair = await loadPair(s.pair.files);
        if (pair.cert.equals(s.pair.cert) && pair.key.equals(s.pair.key)) return s;
        changed++;
        log.info({ certificate: pair.info.file, names: pair.info.names, not_after: pair.info.notAfter }, 'certificate reloaded');
        return serve(pair);
      } catch (e) {
        log.error({ certificate: s.pair.files.cert, reason: (e as Error).message }, 'certificate not reloaded; the one in use stays');
        return s;
      }
    }));
    this.served = next;
    if (changed) for (const fn of this.listeners) fn();
    return changed;
  }

  /** Logs a warning for each certificate that expires within EXPIRY_WARNING_DAYS. */
  warnOfExpiry(log: Logger, now = Date.now()): void {
    for (const info of this.status(now)) {
      if (info.daysLeft < EXPIRY_WARNING_DAYS) {
        log.warn({ certificate: info.file, not_after: info.notAfter, days_left: info.daysLeft }, `certificate expires in ${info.daysLeft} day(s)`);
      }
    }
  }

  /**
   * Reloads when a file changes: the folders holding them are watched, not the files, because renewal tools
   * replace files by renaming (certbot, Kubernetes secrets swap a symbolic link), which a watch on the file misses.
   */
  watch(log: Logger): void {
    const dirs = new Set(this.served.flatMap((s) => [path.dirname(s.pair.files.cert), path.dirname(s.pair.files.key)]));
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.reloadSoon(log));
        w.on('error', (err) => log.warn({ err, dir }, 'cannot watch certificate folder; reload with SIGHUP'));
        this.watchers.push(w);
      } catch (err) {
        log.warn({ err, dir }, 'cannot watch certificate folder; reload with SIGHUP');
      }
    }
  }

  private reloadSoon(log: Logger): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(log), SETTLE_MS);
    this.timer.unref();
  }

  /** Stops watching. */
  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}

function serve(pair: LoadedPair): Served {
  return { pair, context: createSecureContext({ key: pair.key, cert: pair.cert, minVersion: MIN_VERSION, ciphers: CIPHERS }) };
}
