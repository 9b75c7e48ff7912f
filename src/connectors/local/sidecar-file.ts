/**
 * The sidecar file next to an image: its name, reading it safely, replacing it atomically.
 * See docs/connectors.md for why `photo.jpg.xmp` is the default.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SitterError } from '../../core/domain/errors.js';
import { isHiddenName, isSidecarName } from './paths.js';
import { OPEN_FLAGS, errCode, type Resolved } from './resolve.js';

export type SidecarNaming = 'append' | 'replace';

/** Sidecars larger than this are not XMP a person wrote: refuse instead of parsing. */
const MAX_SIDECAR_BYTES = 16 * 1024 * 1024;

export function sidecarPathOf(r: Resolved, naming: SidecarNaming): string {
  if (naming === 'append') return `${r.path}.xmp`;
  const ext = path.extname(r.path);
  return `${r.path.slice(0, r.path.length - ext.length)}.xmp`;
}

/** With `replace` naming, two files with the same stem would share one sidecar: refuse that. */
export async function assertNoStemClash(r: Resolved, source: string, naming: SidecarNaming): Promise<void> {
  if (naming !== 'replace') return;
  const dir = path.dirname(r.path);
  const base = path.basename(r.path);
  const stem = base.slice(0, base.length - path.extname(base).length);
  const siblings = await fs.readdir(dir);
  const clash = siblings.find(
    (n) =>
      n !== base && !isSidecarName(n) && !isHiddenName(n) && n.slice(0, n.length - path.extname(n).length) === stem,
  );
  if (clash) {
    throw new SitterError(
      'SIDECAR_NAME_CLASH',
      `"${r.id}" and "${clash}" would share the sidecar ${stem}.xmp.`,
      'Use the default sidecar naming (sidecarNaming: "append", photo.jpg.xmp), which never clashes.',
      { assetId: r.id, clash, source },
    );
  }
}

/** The sidecar's text, or null when there is none; refuses anything that is not a plain file. */
export async function readSidecar(file: string, id: string, source: string): Promise<string | null> {
  const st = await fs.lstat(file).catch((e: unknown) => {
    if (errCode(e) === 'ENOENT') return null;
    throw e;
  });
  if (!st) return null;
  if (!st.isFile()) {
    throw new SitterError(
      'SIDECAR_NOT_A_FILE',
      `The sidecar ${file} of "${id}" is a symlink, folder or special file; Sitter writes only plain files.`,
      'Replace it with a regular file (or remove it) and push again.',
      { assetId: id, source, path: file },
    );
  }
  if (st.size > MAX_SIDECAR_BYTES) {
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The sidecar ${file} is ${st.size} bytes: too large to be XMP.`,
      'Move it away and push again.',
      { path: file },
    );
  }
  return fs.readFile(file, { encoding: 'utf8', flag: OPEN_FLAGS });
}

/**
 * Sitter's own temp-file names, `.<sidecar>.sitter-<pid>-<12 hex>.tmp`: the only files the leftover
 * sweep may remove.
 */
const TEMP_NAME = /^\.(.+\.xmp)\.sitter-(\d+)-[0-9a-f]{12}\.tmp$/;

export function tempPathOf(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.sitter-${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
  );
}

/** Older than this, a temp sidecar is a leftover whatever its process id says. */
const STALE_AFTER_MS = 10 * 60 * 1000;

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // this process writes one sidecar at a time, never during a sweep
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

/**
 * Removes what a killed push or withdrawal left in the folder: Sitter's temp sidecars, which may still
 * name a person who has since withdrawn. A fresh temp file of a Sitter process that is still running
 * (a concurrent push writing it now) is left alone. Returns the names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const st = await fs.lstat(file).catch(() => null);
    // A live process id may be a reused one: no sidecar write takes minutes, so an old temp is stale anyway.
    if (!st?.isFile() || (isAlive(Number(m[2])) && Date.now() - st.mtimeMs < STALE_AFTER_MS)) continue;
    await fs.rm(file, { force: true }).catch((e: unknown) => {
      throw new SitterError(
        'SIDECAR_NOT_WRITABLE',
        `Cannot remove the leftover temp sidecar ${file} (${errCode(e) ?? String(e)}).`,
        'Give Sitter write access to the shoot folder, or delete the file by hand.',
        { path: file },
        { cause: e },
      );
    });
    removed.push(name);
  }
  if (removed.length > 0) await syncDir(dir);
  return removed;
}

/** Makes a rename or unlink in the folder durable: without it a power cut may bring the old entry back. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `text` to `tmp` and forces it to disk before anyone can see it under the real name. */
async function writeDurably(tmp: string, text: string): Promise<void> {
  const handle = await fs.open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function notWritable(file: string, e: unknown): SitterError | null {
  const code = errCode(e);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new SitterError(
      'SIDECAR_NOT_WRITABLE',
      `Cannot write the sidecar ${file} (${code}).`,
      'Give Sitter write access to the shoot folder (sidecars are written next to the images), or mount it read-write.',
      { path: file, code },
      { cause: e },
    );
  }
  return null;
}

/**
 * Replaces the sidecar atomically and durably (temp file in the same folder, fsynced, renamed over the
 * sidecar, the folder fsynced), or deletes it. A crash leaves either the old or the new sidecar, plus
 * at worst a temp file that the next push or withdrawal of the folder removes.
 */
export async function writeSidecar(file: string, text: string | null): Promise<void> {
  if (text === null) {
    await fs.rm(file, { force: true }).catch((e: unknown) => {
      throw new SitterError(
        'SIDECAR_NOT_WRITABLE',
        `Cannot remove the sidecar ${file} (${errCode(e) ?? String(e)}).`,
        'Give Sitter write access to the shoot folder.',
        { path: file },
        { cause: e },
      );
    });
    await syncDir(path.dirname(file));
    return;
  }
  const tmp = tempPathOf(file);
  try {
    await writeDurably(tmp, text);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw notWritable(file, e) ?? e;
  }
  await syncDir(path.dirname(file));
}

/**
 * The text of every Sitter temp file in the folder (of `sidecarName` only, when given), live or not:
 * what a crash or a running push left that could still name someone.
 */
export async function readTempsIn(dir: string, sidecarName?: string): Promise<{ location: string; text: string }[]> {
  const found: { location: string; text: string }[] = [];
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || (sidecarName !== undefined && m[1] !== sidecarName)) continue;
    const file = path.join(dir, name);
    const st = await fs.lstat(file).catch(() => null);
    if (!st?.isFile()) continue;
    const text = await fs.readFile(file, { encoding: 'utf8', flag: OPEN_FLAGS }).catch(() => null);
    if (text !== null) found.push({ location: file, text });
  }
  return found;
}

/**
 * The sidecar's text and that of any Sitter temp file of it left by a crash: everything Sitter wrote
 * for the asset that could still name someone.
 */
export async function readSidecarAndLeftovers(
  file: string,
  id: string,
  source: string,
): Promise<{ location: string; text: string }[]> {
  const sidecar = await readSidecar(file, id, source);
  const temps = await readTempsIn(path.dirname(file), path.basename(file));
  return sidecar === null ? temps : [{ location: file, text: sidecar }, ...temps];
}
