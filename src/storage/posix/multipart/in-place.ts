/**
 * Parts written in place: one sparse file per upload, `assembly`, in which part n lies at (n-1)·S, S being the
 * upload's slot size. When the parts of a Complete lie there end to end, the Complete only truncates, seals and
 * renames that file (see assembly-complete.ts): no byte is copied. In the upload's directory:
 *
 *   slot        S, in decimal: fixed by the first part that arrives whose length can be a slot size (at least
 *               MIN_PART_BYTES, a whole number of 4 KiB pages, so no two slots share a page: writers on several hosts
 *               of a NAS never write the same page), made aside and linked into place, so two racing parts cannot
 *               both set it and no reader sees it half written
 *   c<NNNNN>    the claim on slot n, created exclusively before a byte is written there. A slot is claimed at most
 *               once while bytes a record describes may lie in it: the claim of a part that got its record stays
 *               for good (a re-upload of that number goes to a file of its own), and only a writer that failed
 *               before its record, its writes over, gives its claim back. A crash leaves a dead slot.
 *   assembly    the bytes. A part's record says where its own lie (`at`); nothing else is ever read from here.
 *
 * Whoever may still write to the assembly file holds a claim, and every claim is created in the upload's
 * directory by name: once a Complete has taken the directory, no new claim can appear, and the claims it sees
 * are every writer the file can still have.
 */
import { link, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { scratchName } from '../../../fsutil/lock-owner.js';
import { errnoOf } from '../paths/errno.js';
import { MIN_PART_BYTES } from './completion-plan.js';

/** The name of the assembly file in an upload's directory. */
export const ASSEMBLY_FILE = 'assembly';
const SLOT_FILE = 'slot';
const CLAIM_NAME = /^c(\d{5})$/;
const PAGE = 4096;
/**
 * No part is placed where it would end past S3's largest object: far below the largest file of ext4 (16 TiB)
 * and XFS, so a placement never fails for the offset alone.
 */
const MAX_END = 5 * 1024 ** 4;

function claimName(partNumber: number): string {
  return `c${String(partNumber).padStart(5, '0')}`;
}

/**
 * Claims the place of part `partNumber` (`size` bytes) in the assembly file of the upload in `dir`: its offset,
 * or undefined when the part must go to a file of its own (no slot size yet and this part cannot set it, a
 * part longer than a slot, a slot already claimed). Throws ENOENT when the upload's directory is gone.
 */
export async function claimSlot(dir: string, partNumber: number, size: number, fsync: boolean): Promise<number | undefined> {
  if (size <= 0) return undefined;
  const slot = await slotSize(dir, size, fsync);
  if (slot === undefined || size > slot) return undefined;
  const at = (partNumber - 1) * slot;
  if (at + size > MAX_END) return undefined;
  try {
    await (await open(`${dir}/${claimName(partNumber)}`, 'wx', 0o600)).close();
    return at;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return undefined;
    throw e;
  }
}

/**
 * Gives back the claim on slot `partNumber`, whose writer failed before its record and has stopped writing.
 * Never throws: a claim that cannot be given back only leaves its slot unused.
 */
export async function releaseSlot(dir: string, partNumber: number): Promise<void> {
  await unlink(`${dir}/${claimName(partNumber)}`).catch(() => {});
}

/** The part numbers whose slot is claimed, among directory entry `names`. */
export function claimedSlots(names: readonly string[]): number[] {
  const claimed: number[] = [];
  for (const name of names) {
    const m = CLAIM_NAME.exec(name);
    if (m) claimed.push(Number(m[1]));
  }
  return claimed;
}

/** Whether `size` can be a slot size (a part shorter than S3's smallest part may only be a last one: a poor slot). */
function isSlotSize(size: number): boolean {
  return Number.isSafeInteger(size) && size >= MIN_PART_BYTES && size % PAGE === 0;
}

/** The upload's slot size: the one recorded, or else `proposed` once it is recorded, if it can be one. Undefined when there is none. */
async function slotSize(dir: string, proposed: number, fsync: boolean): Promise<number | undefined> {
  const path = `${dir}/${SLOT_FILE}`;
  const recorded = await readSlot(path);
  if (recorded !== null || !isSlotSize(proposed)) return recorded ?? undefined;
  // `tmp-` like a part's staging file, with its writer's tag: a crash's leftover goes with the sweep (sweep.ts) as
  // soon as its writer is known gone, or with the upload.
  const tmp = `${dir}/${scratchName('tmp-slot')}`;
  try {
    await writeFile(tmp, String(proposed), { flag: 'wx', mode: 0o600, flush: fsync });
    await link(tmp, path).catch((e: unknown) => {
      if (errnoOf(e) !== 'EEXIST') throw e; // another part set it first: its size holds
    });
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return (await readSlot(path)) ?? undefined;
}

/** The slot size in `path`; null when there is none, 0 when it is not one we wrote (then nothing goes in place). */
async function readSlot(path: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return null; // (a vanished upload shows at the next step, which creates a file)
    throw e;
  }
  const n = Number(text);
  return isSlotSize(n) ? n : 0;
}
