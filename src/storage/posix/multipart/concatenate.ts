/**
 * Joins part files into one file without passing the bytes through JavaScript: `cat` with its standard output
 * set to the target's descriptor. coreutils cat (9.1+) then moves the data with copy_file_range, which the
 * kernel turns into a reflink on XFS and Btrfs (where offsets are block-aligned), a server-side copy on
 * NFS 4.2, and an in-kernel copy elsewhere. Only if `cat` cannot be run is the copy made here, a buffer at a time.
 */
import { spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';

// Names per cat process: part names are ~27 bytes, so a batch stays far below the kernel's argument limits.
const BATCH = 1000;
const COPY_CHUNK = 1024 * 1024;

/**
 * Appends the files `names` (relative to `dir`), in order, to the open file `out` at its current offset.
 * Resolves with how the bytes were copied.
 */
export async function concatenate(dir: string, names: readonly string[], out: FileHandle): Promise<'cat' | 'js'> {
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const ran = await runCat(dir, batch, out.fd);
    if (!ran) {
      if (i > 0) throw new Error('cat disappeared during a concatenation');
      await copyInJs(dir, names, out);
      return 'js';
    }
  }
  return 'cat';
}

/** Runs `cat -- names...` in `dir` with stdout on `fd` (shared offset: batches append). False if cat is missing. */
function runCat(dir: string, names: readonly string[], fd: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('cat', ['--', ...names], { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4000) stderr += s;
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') resolve(false);
      else reject(e);
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve(true);
      else if (code !== null || signal) reject(new Error(`cat failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** The fallback: read and write one buffer at a time (bounded memory, no whole part ever held). */
async function copyInJs(dir: string, names: readonly string[], out: FileHandle): Promise<void> {
  const buf = Buffer.allocUnsafe(COPY_CHUNK);
  let offset = (await out.stat()).size;
  for (const name of names) {
    const src = await open(`${dir}/${name}`, 'r');
    try {
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        let done = 0;
        while (done < bytesRead) {
          const { bytesWritten } = await out.write(buf, done, bytesRead - done, offset);
          done += bytesWritten;
          offset += bytesWritten;
        }
      }
    } finally {
      await src.close();
    }
  }
}
