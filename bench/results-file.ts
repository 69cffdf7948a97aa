/** RESULTS.md keeps every run: each new run is appended below the older ones. */
import { appendFile, access } from 'node:fs/promises';

const INTRO = `# dirbucket benchmark results

Run with \`npm run bench\` (builds, then runs \`node dist/bench/run.js\`). Each run appends a section below;
the raw figures of the latest run are in \`bench/last-run.json\`. Options: \`--no-record\` (print only),
\`--only small,large,sdk,list-disk,list-s3,multipart\`, \`--profile DIR\` (server CPU profile; summarise with
\`node dist/bench/profile-summary.js FILE [TOP] [LAST_MS]\`), \`--server-arg FLAG\` (repeatable, passed to \`serve\`),
\`--server-bin PATH\` (another entry script), \`--wait-quiet SECONDS\` (how long to wait for an idle host before
measuring, default 180; 0 skips), \`--attempts N\` (runs of a phase when other processes disturbed it, default 3),
\`--identity UID:GID[:G1,G2]\` (the client as an ordinary user).

The bench starts the real server (\`node bin/dirbucket.js serve --root TMP --listen 127.0.0.1:0\`) on a fresh
temporary directory, with default settings (fsync on), and talks to it over loopback with its own SigV4 signer
(checked against @smithy/signature-v4 at start): small requests and listings go through a node:http keep-alive
pool, 64 MiB transfers through one raw socket that reads into a reused buffer (node:http's client alone capped
a 64 MiB GET near 850 MiB/s here). The AWS SDK row is the SDK's own client, default settings.
**Client and server share the same machine's cores**: on a 2-core host the client's CPU competes with the
server's, so figures are a lower bound of what the server does with the host to itself.
`;

/** Appends one run's Markdown section, creating the file with its introduction if it does not exist. */
export async function appendRun(path: string, section: string): Promise<void> {
  const exists = await access(path).then(() => true, () => false);
  await appendFile(path, (exists ? '\n' : INTRO + '\n') + section.trimEnd() + '\n');
}
