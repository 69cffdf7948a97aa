/** `dirbucket cert status|create`: what the HTTPS listener serves and until when; a self-signed pair to start with. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseServeArgs } from '../config/command-line.js';
import { ConfigError } from '../config/config.js';
import { tlsPairs, type TlsPair } from '../config/tls-pairs.js';
import { describeCertificate, EXPIRY_WARNING_DAYS, type CertificateInfo } from '../server/tls/certificate-info.js';
import { loadPair } from '../server/tls/certificate-pair.js';
import { createSelfSigned } from './cert-create.js';

export const CERT_HELP = `Usage: dirbucket cert <action> [options]

  status [--json] [--config FILE] [--tls-cert FILE --tls-key FILE]... [serve's other options]
            the certificates \`serve\` would use with the same options: subject, names, issuer, validity,
            days left, the listener, and whether the pair would be served (exit 1 if one would not)
  create --host NAME [--host NAME]... [--days N] [--cert FILE] [--key FILE]
            write a self-signed certificate for the names (DNS names or IP addresses; 365 days by default)
            to FILE (dirbucket-cert.pem, dirbucket-key.pem by default), and print how to trust it
`;

/** A certificate as `cert status` reports it. */
interface Status extends Partial<CertificateInfo> {
  file: string;
  key: string;
  listener: string;
  /** Why `serve` would refuse this pair; absent when it would serve it. */
  problem?: string;
}

/** Describes one pair, also when it could not be served (then with its problem). */
async function statusOf(pair: TlsPair, listener: string): Promise<Status> {
  try {
    const loaded = await loadPair(pair);
    return { ...loaded.info, key: pair.key, listener };
  } catch (e) {
    let info: Partial<CertificateInfo> = {};
    try {
      info = describeCertificate(pair.cert, new X509Certificate(readFileSync(pair.cert)));
    } catch {
      // unreadable or not a certificate: the problem says so
    }
    return { ...info, file: pair.cert, key: pair.key, listener, problem: (e as Error).message };
  }
}

function text(s: Status): string {
  const lines = [`${s.file}${s.problem ? '' : s.daysLeft! < EXPIRY_WARNING_DAYS ? '  (expires soon)' : ''}`];
  if (s.subject !== undefined) {
    lines.push(`  subject:    ${s.subject}`, `  names:      ${s.names!.join(', ')}`, `  issuer:     ${s.issuer}`,
      `  not before: ${s.notBefore}`, `  not after:  ${s.notAfter}`, `  days left:  ${s.daysLeft}`);
  }
  lines.push(`  key:        ${s.key}`, `  listener:   ${s.listener}`);
  if (s.problem) lines.push(`  PROBLEM:    ${s.problem}`);
  return lines.join('\n') + '\n';
}

async function status(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const args = parseServeArgs(argv.filter((a) => a !== '--json'));
  if (args.help) {
    process.stdout.write(CERT_HELP);
    return;
  }
  const { listen } = args.config;
  const listener = `https://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  const pairs = tlsPairs(args.config);
  const all = await Promise.all(pairs.map((p) => statusOf(p, listener)));
  if (json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
  else process.stdout.write(all.length ? all.map(text).join('\n') : 'No certificates: serve listens with plain HTTP (give --tls-cert and --tls-key, or tls: in the configuration).\n');
  if (all.some((s) => s.problem)) process.exitCode = 1;
}

function create(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { host: { type: 'string', multiple: true }, days: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(CERT_HELP);
    return;
  }
  const days = Number(values.days ?? 365);
  if (!Number.isInteger(days) || days < 1) throw new ConfigError(`--days: expected a whole number of days, got "${values.days}"`);
  const certFile = path.resolve(values.cert ?? 'dirbucket-cert.pem');
  const keyFile = path.resolve(values.key ?? 'dirbucket-key.pem');
  createSelfSigned({ hosts: values.host ?? [], days, certFile, keyFile });
  process.stdout.write(
    `Wrote a self-signed certificate for ${values.host!.join(', ')}, valid for ${days} days:\n  ${certFile}\n  ${keyFile} (private key, readable only by you)\n` +
      `Serve with it:  dirbucket serve --tls-cert ${certFile} --tls-key ${keyFile} ...\n` +
      `Clients must trust it as a CA, for example:\n` +
      `  aws --ca-bundle ${certFile} --endpoint-url https://${values.host![0]}:9000 s3 ls\n` +
      `  AWS_CA_BUNDLE=${certFile} (aws cli, boto3)   NODE_EXTRA_CA_CERTS=${certFile} (Node.js)   SSL_CERT_FILE=${certFile} (rclone, curl)\n`,
  );
}

/** Runs `dirbucket cert ...`. */
export async function certCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'status':
      return status(rest);
    case 'create':
      return create(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(CERT_HELP);
      return;
    default:
      throw new ConfigError(`unknown action "cert ${action}" (try dirbucket cert --help)`);
  }
}
