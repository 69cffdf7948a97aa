/** A certificate authority made with the openssl command for HTTPS tests: it issues server pairs, valid, expiring or expired. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CA_CONFIG = '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n';

/** A pair's file names, in the CA's folder. */
export interface IssuedPair {
  cert: string;
  key: string;
}

/** A throw-away CA in a temporary folder; dispose() removes it. */
export class TestCa {
  readonly dir = mkdtempSync(join(tmpdir(), 'dirbucket-ca-'));
  /** The CA certificate, PEM: what clients trust. */
  readonly pem: string;
  private n = 0;

  constructor() {
    this.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=dirbucket test CA',
      '-keyout', 'ca-key.pem', '-out', 'ca.pem']);
    writeFileSync(join(this.dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '01\n');
    this.pem = readFileSync(join(this.dir, 'ca.pem'), 'utf8');
  }

  /** The CA certificate's path. */
  get file(): string {
    return join(this.dir, 'ca.pem');
  }

  /** Issues a pair for `names` (DNS names; 127.0.0.1 is always added) valid from `start` to `end` (openssl's YYYYMMDDHHMMSSZ; default now to now + 20 days). */
  issue(names: string[] = ['localhost'], validity: { start?: string; end?: string; days?: number } = {}): IssuedPair {
    const id = `s${++this.n}`;
    const san = ['127.0.0.1', ...names].map((n) => (/^\d/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    this.openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${names[0]}`,
      '-addext', `subjectAltName=${san}`, '-keyout', `${id}-key.pem`, '-out', `${id}.csr`]);
    const dates = validity.start ? ['-startdate', validity.start, '-enddate', validity.end!] : ['-days', String(validity.days ?? 20)];
    this.openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca-key.pem', '-in', `${id}.csr`, '-out', `${id}.pem`, '-notext', ...dates]);
    return { cert: join(this.dir, `${id}.pem`), key: join(this.dir, `${id}-key.pem`) };
  }

  /** Removes the CA's folder. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }
}
