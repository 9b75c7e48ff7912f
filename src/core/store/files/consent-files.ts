/**
 * The node:fs adapter of the ConsentFileAccess port, rooted at a consent file's folder. A path is
 * usable only when it is relative, has no `..`, and its real path (every symbolic link on the way
 * followed) is a regular file inside the real path of the folder.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, realpathSync, type Stats, statSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { lexicalPathProblem, pathSegments } from '../../consent/paths.js';
import type { ConsentFileFormat } from '../../consent/parse.js';
import { SitterError } from '../../domain/errors.js';
import type { ConsentFileAccess, ResolveResult } from '../../ports/consent-files.js';

const READ_BUFFER_BYTES = 256 * 1024;

/** An adapter for the files named by the consent file at `consentFilePath`. */
export function consentFileAccessFor(consentFilePath: string): ConsentFileAccess {
  return createConsentFileAccess(path.dirname(path.resolve(consentFilePath)));
}

/** An adapter rooted at `folder` (resolved against the current directory). */
export function createConsentFileAccess(folder: string): ConsentFileAccess {
  const root = path.resolve(folder);
  let realRoot: Promise<string> | undefined;
  const getRealRoot = (): Promise<string> => (realRoot ??= realpath(root));
  // A roster names up to 200,000 files in a handful of folders. The real path of each folder is
  // found once; a file that is not itself a symbolic link then needs one lstat, not a realpath
  // that lstats every component of its path again.
  const realFolders = new Map<string, string>();
  const realFolder = (dir: string): string => {
    let real = realFolders.get(dir);
    if (real === undefined) {
      real = realpathSync.native(dir);
      realFolders.set(dir, real);
    }
    return real;
  };
  // The sizes resolveInside saw, so sha256 need not stat the file again.
  const sizes = new Map<string, number>();
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  return {
    root,
    async resolveInside(relPath: string): Promise<ResolveResult> {
      const lexical = lexicalPathProblem(relPath);
      if (lexical === 'absolute' || lexical === 'parent') return { ok: false, reason: lexical };
      if (lexical !== null) return { ok: false, reason: 'missing' };
      const base = await getRealRoot();
      const joined = path.join(base, ...pathSegments(relPath));
      let real: string;
      let stats: Stats;
      try {
        // Synchronous, native calls: a thread-pool round trip per call cost more than the call
        // itself (a consent import is a batch job).
        real = path.join(realFolder(path.dirname(joined)), path.basename(joined));
        stats = lstatSync(real);
        if (stats.isSymbolicLink()) {
          real = realpathSync.native(real);
          stats = statSync(real);
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing' };
        return { ok: false, reason: 'unreadable', message: code ?? String(e) };
      }
      if (real !== base && !real.startsWith(base.endsWith(path.sep) ? base : base + path.sep)) {
        return { ok: false, reason: 'symlink-escape' };
      }
      if (!stats.isFile()) return { ok: false, reason: 'not-a-file' };
      sizes.set(real, stats.size);
      return { ok: true, absolutePath: real };
    },
    async sha256(absolutePath: string): Promise<string> {
      // Read through one reused buffer, synchronously: a stream (and its 64 KiB buffers), or a
      // buffer the size of each file, per file made a 100,000-row roster spend its time collecting
      // garbage. The size resolveInside saw spares a stat; reading stops at the end of the file.
      const size = sizes.get(absolutePath);
      sizes.delete(absolutePath);
      const fd = openSync(absolutePath, 'r');
      try {
        const hash = createHash('sha256');
        let total = 0;
        for (;;) {
          const n = readSync(fd, buffer, 0, buffer.length, null);
          if (n === 0) break;
          hash.update(buffer.subarray(0, n));
          total += n;
          // A small file is read in one call; the call that would only say "end of file" is saved.
          if (size !== undefined && total === size && n < buffer.length) break;
        }
        return hash.digest('hex');
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Consent files larger than this are refused before reading (a roster is kilobytes). */
export const MAX_CONSENT_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Read a consent file for parseConsentFile: its text (UTF-8) and its format, from the extension
 * (.csv or .json) unless given.
 */
export async function readConsentFile(
  filePath: string,
  format?: ConsentFileFormat,
): Promise<{ text: string; format: ConsentFileFormat; fileName: string }> {
  const fileName = path.basename(filePath);
  const ext = path.extname(filePath).toLowerCase();
  const fmt = format ?? (ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : undefined);
  if (!fmt) {
    throw new SitterError(
      'CONSENT_FILE_FORMAT',
      `${fileName}: cannot tell whether this is CSV or JSON`,
      'Name the file .csv or .json.',
    );
  }
  let size: number;
  try {
    const s = await stat(filePath);
    if (!s.isFile())
      throw new SitterError(
        'CONSENT_FILE_NOT_FOUND',
        `${filePath} is not a file`,
        'Give the path of a .csv or .json consent file.',
      );
    size = s.size;
  } catch (e) {
    if (e instanceof SitterError) throw e;
    throw new SitterError(
      'CONSENT_FILE_NOT_FOUND',
      `cannot read ${filePath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'Check the path of the consent file.',
      undefined,
      { cause: e },
    );
  }
  if (size > MAX_CONSENT_FILE_BYTES) {
    throw new SitterError(
      'CONSENT_FILE_TOO_LARGE',
      `${fileName} is ${size} bytes`,
      `A consent file may be at most ${MAX_CONSENT_FILE_BYTES} bytes.`,
    );
  }
  const text = await readFile(filePath, 'utf8');
  return { text, format: fmt, fileName };
}
