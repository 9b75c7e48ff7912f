/**
 * Walks a shoot folder: every regular file under it, in one stable order, with everything that is
 * not a candidate reported (escaping symlinks, devices, FIFOs) instead of failing. Hidden entries and
 * sidecars are passed over silently. Symlinked directories are not followed (no cycles, and the scope
 * stays the folder tree); a symlinked file is a candidate only when its target is inside the root.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import type { SkippedEntry } from '../../core/ports/connector.js';
import { isHiddenName, isInside, isSidecarName } from './paths.js';

/** A file that may be an asset (its content is sniffed later, page by page). */
export interface Candidate {
  kind: 'candidate';
  id: string;
  /** the path under the root (a symlink's own path for a linked file) */
  path: string;
  /** the real path to open (the link target for a linked file) */
  realPath: string;
}

export interface Skipped extends SkippedEntry {
  kind: 'skipped';
}

export type WalkEntry = Candidate | Skipped;

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function classifyLink(root: string, id: string, abs: string): Promise<WalkEntry> {
  let real: string;
  try {
    real = await fs.realpath(abs);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ELOOP')
      return { kind: 'skipped', id, reason: 'broken-link', message: `${id} is a symlink to nothing (${code}).` };
    return {
      kind: 'skipped',
      id,
      reason: 'unreadable',
      message: `${id} could not be resolved (${code ?? String(e)}).`,
    };
  }
  if (!isInside(root, real)) {
    return {
      kind: 'skipped',
      id,
      reason: 'outside-source',
      message: `${id} is a symlink leading outside the shoot folder.`,
    };
  }
  const st = await fs.stat(real).catch(() => null);
  if (!st) return { kind: 'skipped', id, reason: 'unreadable', message: `${id} could not be read.` };
  if (st.isDirectory())
    return {
      kind: 'skipped',
      id,
      reason: 'linked-directory',
      message: `${id} is a symlink to a folder; linked folders are not followed.`,
    };
  if (!st.isFile())
    return {
      kind: 'skipped',
      id,
      reason: 'not-a-regular-file',
      message: `${id} leads to a device, FIFO or socket, not a file.`,
    };
  return { kind: 'candidate', id, path: abs, realPath: real };
}

/** One real folder of the tree, with its entries or why they could not be read. */
type Folder = { dir: string; prefix: string; entries: Dirent[] } | { dir: string; prefix: string; error: unknown };

/**
 * Every real folder under `root` (root first): hidden folders and symlinked folders are not entered,
 * as the listing does not enter them. An unreadable root throws; an unreadable subfolder is reported.
 */
async function* folders(root: string): AsyncGenerator<Folder> {
  const stack: { dir: string; prefix: string }[] = [{ dir: root, prefix: '' }];
  while (stack.length > 0) {
    const { dir, prefix } = stack.pop() as { dir: string; prefix: string };
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (prefix === '') throw e; // the root itself: the caller turns this into a SitterError
      yield { dir, prefix, error: e };
      continue;
    }
    yield { dir, prefix, entries };
    for (const d of entries)
      if (d.isDirectory() && !isHiddenName(d.name))
        stack.push({ dir: path.join(dir, d.name), prefix: `${prefix}${d.name}/` });
  }
}

/** The absolute paths of every folder the listing walks (the root included): where Sitter may have written. */
export async function walkFolders(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of folders(root)) if ('entries' in f) out.push(f.dir);
  return out;
}

/** All entries under `root` (a real, absolute directory path), sorted by id in code-unit order. */
export async function walk(root: string): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const folder of folders(root)) {
    const { dir, prefix } = folder;
    if ('error' in folder) {
      const id = prefix.slice(0, -1);
      out.push({
        kind: 'skipped',
        id,
        reason: 'unreadable',
        message: `The folder ${id} could not be read (${errCode(folder.error) ?? String(folder.error)}).`,
      });
      continue;
    }
    for (const d of folder.entries) {
      const name = d.name;
      if (isHiddenName(name) || d.isDirectory()) continue;
      const id = `${prefix}${name}`;
      const abs = path.join(dir, name);
      if (isSidecarName(name)) continue;
      else if (d.isFile()) out.push({ kind: 'candidate', id, path: abs, realPath: abs });
      else if (d.isSymbolicLink()) out.push(await classifyLink(root, id, abs));
      else
        out.push({
          kind: 'skipped',
          id,
          reason: 'not-a-regular-file',
          message: `${id} is a device, FIFO or socket, not a file.`,
        });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
