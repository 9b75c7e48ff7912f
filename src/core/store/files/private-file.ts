/**
 * Writing a file that holds personal data (an audit export names participants) where the user asked:
 * owner-only (0600, whatever the umask or the mode of a file it replaces), never through a symbolic
 * link (which could point anywhere, e.g. into a shared folder), never over an existing file unless
 * the user said so, and never half-written: the bytes go to a temporary file next to the target
 * that is then linked (or, with force, renamed) into place.
 */
import { constants } from 'node:fs';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SitterError } from '../../domain/errors.js';
import { diskFullError, isNoSpace } from '../atomic-file.js';

export interface PrivateFileOptions {
  /** replace an existing regular file */
  force: boolean;
  /** the flag that allows replacing, named in the refusal (e.g. "--force") */
  forceFlag: string;
}

export type PathKind = 'none' | 'link' | 'file' | 'folder' | 'other';

/** What is at `path`, without following a link. */
export async function pathKind(path: string): Promise<PathKind> {
  try {
    const s = await lstat(path);
    return s.isSymbolicLink() ? 'link' : s.isFile() ? 'file' : s.isDirectory() ? 'folder' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw notWritten(path, error);
    return 'none';
  }
}

/** Personal data is never written through a symbolic link, which could point anywhere (a shared folder). */
export function linkRefused(path: string, what: 'file' | 'folder'): SitterError {
  return new SitterError(
    'OUTPUT_IS_A_LINK',
    `${path} is a symbolic link; Sitter does not write personal data through a link.`,
    `Give the real path of the ${what}, or a new ${what} name.`,
  );
}

/** Refuses a target that is a link, or that exists when replacing was not asked for. Call before any work. */
export async function checkPrivateTarget(path: string, opts: PrivateFileOptions): Promise<void> {
  const kind = await pathKind(path);
  if (kind === 'link') throw linkRefused(path, 'file');
  if (kind === 'other' || kind === 'folder')
    throw new SitterError(
      'OUTPUT_NOT_A_FILE',
      `${path} exists and is not a regular file.`,
      'Give the path of a new file.',
    );
  if (kind === 'file' && !opts.force) {
    throw new SitterError(
      'OUTPUT_EXISTS',
      `${path} already exists; it was not changed.`,
      `Give a new file name, or add ${opts.forceFlag} to replace it.`,
    );
  }
}

/** Writes `body` to `path` as described above; checks the target again at the last moment. */
export async function writePrivateFile(
  path: string,
  body: string | Uint8Array,
  opts: PrivateFileOptions,
): Promise<void> {
  await checkPrivateTarget(path, opts);
  const temp = join(dirname(path), `.${basename(path)}.sitter-${process.pid}.tmp`);
  try {
    const handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      await handle.chmod(0o600); // the umask may have taken bits away; never more than owner read/write
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.force) {
      await checkPrivateTarget(path, opts); // not a link now either
      await rename(temp, path);
    } else {
      await link(temp, path); // fails if anything (a file, a link) appeared at the target meanwhile
    }
  } catch (error) {
    if (error instanceof SitterError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SitterError(
        'OUTPUT_EXISTS',
        `${path} appeared while Sitter was writing; it was not changed.`,
        `Give a new file name, or add ${opts.forceFlag} to replace it.`,
      );
    }
    throw notWritten(path, error);
  } finally {
    await rm(temp, { force: true });
  }
}

function notWritten(path: string, cause: unknown): SitterError {
  if (isNoSpace(cause)) return diskFullError(path, cause);
  const code = (cause as NodeJS.ErrnoException).code;
  return new SitterError(
    'EXPORT_NOT_WRITTEN',
    `Cannot write ${path} (${code ?? 'error'}).`,
    'Choose a path in a folder you can write to, or leave out --output to print to stdout.',
    undefined,
    { cause },
  );
}
