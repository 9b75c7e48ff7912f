/**
 * A folder of exported personal data (a subject access export): created owner-only (0700) if it is
 * missing, made 0700 if it exists empty; an existing folder must be empty unless the user said --force (then only the files Sitter
 * writes are replaced, each through `writePrivateFile`: 0600, never through a link). A link in place
 * of the folder is refused, as for a single file.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { SitterError } from '../../domain/errors.js';
import { linkRefused, pathKind, writePrivateFile } from './private-file.js';

export interface ExportFile {
  name: string;
  body: string;
}

/**
 * Checks (and makes) the folder before any work that would be wasted. `keepOutOf` lists folders the
 * output must not land in: the workspace (its files are the data it exports) and the shoot's source
 * (a copy there would be listed, and named, by the next scan). A link anywhere on the path is refused:
 * the folder checked must be the folder written.
 */
export async function prepareExportFolder(
  dir: string,
  force: boolean,
  keepOutOf: readonly string[] = [],
): Promise<void> {
  const kind = await pathKind(dir);
  if (kind === 'link') throw linkRefused(dir, 'folder');
  await refuseLinkedOrInside(dir, keepOutOf);
  if (kind !== 'none' && kind !== 'folder')
    throw new SitterError(
      'OUTPUT_NOT_A_FOLDER',
      `${dir} exists and is not a folder.`,
      'Give the path of a new folder.',
    );
  if (kind === 'none') {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw folderError(dir, error);
    });
    return;
  }
  const empty = (await readdir(dir)).length === 0;
  if (!force && !empty)
    throw new SitterError(
      'OUTPUT_NOT_EMPTY',
      `${dir} is not empty; nothing was written.`,
      'Give a new or empty folder, or add --force to replace the export files in it (other files are left alone).',
    );
  // An empty folder is as good as a new one, and becomes as private: its file names name people.
  // A folder that already holds the user's other files keeps its mode (its files are theirs).
  if (empty)
    await chmod(dir, 0o700).catch((error: unknown) => {
      throw folderError(dir, error);
    });
}

/** The nearest existing folder of `path`, resolved through any link. */
async function realAncestor(path: string): Promise<{ given: string; real: string }> {
  let given = resolve(path);
  for (;;) {
    try {
      return { given, real: await realpath(given) };
    } catch {
      const up = dirname(given);
      if (up === given) return { given, real: given };
      given = up;
    }
  }
}

const within = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

async function refuseLinkedOrInside(dir: string, keepOutOf: readonly string[]): Promise<void> {
  const { given, real } = await realAncestor(dir);
  if (real !== given)
    throw new SitterError(
      'OUTPUT_THROUGH_LINK',
      `${dir} goes through a symbolic link (${given} is ${real}); nothing was written.`,
      'Give the folder by its real path, without links.',
    );
  const target = resolve(dir);
  for (const root of keepOutOf) {
    if (!isAbsolute(root)) continue; // a DAM's source is an id, not a folder
    const realRoot = await realpath(root).catch(() => resolve(root));
    if (within(realRoot, target) || within(resolve(root), target))
      throw new SitterError(
        'OUTPUT_INSIDE_PROTECTED',
        `${dir} is inside ${root}: the workspace or the shoot's photos; nothing was written.`,
        'Give a folder outside the workspace and outside every shoot folder.',
      );
  }
}

/** The sha256 of each file's body: recorded before anything is written. */
export function digestsOf(files: readonly ExportFile[]): { name: string; sha256: string }[] {
  return files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.body).digest('hex') }));
}

/** Writes each file 0600 (see `writePrivateFile`). */
export async function writeExportFiles(dir: string, files: readonly ExportFile[], force: boolean): Promise<void> {
  for (const f of files) await writePrivateFile(join(dir, f.name), f.body, { force, forceFlag: '--force' });
}

function folderError(dir: string, cause: unknown): SitterError {
  const code = (cause as NodeJS.ErrnoException).code;
  return new SitterError(
    'EXPORT_NOT_WRITTEN',
    `Cannot create or read ${dir} (${code ?? 'error'}).`,
    'Choose a folder you can write to.',
    undefined,
    { cause },
  );
}
