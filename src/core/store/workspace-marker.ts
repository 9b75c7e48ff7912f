/**
 * A workspace's folder and its marker (workspace.json): what every workspace has, whether its
 * database is a SQLite file in the folder or a team database on a PostgreSQL server.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { type Env, keyCheck, loadMasterKey, type MasterKeySource } from './master-key.js';

/**
 * A workspace is a folder (mode 0700) holding the SQLite database, the master key that wraps the
 * per-shoot data keys, and those keys. Everything in it is readable by its owner only (GDPR Art. 32).
 * A team workspace's folder holds the marker and, by default, the master key; its database and the
 * wrapped data keys are on the server.
 */
export const WORKSPACE_FILES = {
  marker: 'workspace.json',
  database: 'sitter.db',
  masterKey: 'master.key',
  keysDir: 'keys',
} as const;

/** 1: ciphertexts without associated data; 2: every ciphertext bound to its place */
export const WORKSPACE_FORMAT = 2;

/** workspace.json: what a workspace is and where its master key lives (never the key itself). */
export interface Marker {
  format: number;
  tool: 'sitter';
  masterKey?: MasterKeySource;
  masterKeyCheck?: string;
  /** a team workspace's database, `postgres://user@host:port/db` (never a password); absent: sitter.db */
  database?: string;
}

export interface WorkspacePaths {
  dir: string;
  marker: string;
  database: string;
  masterKey: string;
  keysDir: string;
}

export function workspacePaths(dir: string): WorkspacePaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    marker: join(abs, WORKSPACE_FILES.marker),
    database: join(abs, WORKSPACE_FILES.database),
    masterKey: join(abs, WORKSPACE_FILES.masterKey),
    keysDir: join(abs, WORKSPACE_FILES.keysDir),
  };
}

export function writeMarker(path: string, marker: Marker, exclusive: boolean): void {
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), { mode: 0o600, exclusive });
}

export function readMarker(paths: WorkspacePaths): Marker {
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(paths.marker, 'utf8')) as Marker;
  } catch (cause) {
    throw new SitterError(
      'WORKSPACE_UNREADABLE',
      `The workspace marker ${paths.marker} cannot be read.`,
      'Run Sitter as the user who owns the workspace, or restore workspace.json from your backup.',
      undefined,
      { cause },
    );
  }
  if (typeof marker.format !== 'number' || marker.format > WORKSPACE_FORMAT) {
    throw new SitterError(
      'WORKSPACE_TOO_NEW',
      `The workspace ${paths.dir} was written by a newer Sitter (format ${String(marker.format)}).`,
      'Upgrade Sitter to open it.',
    );
  }
  return marker;
}

export function wrongKeyError(where: string): SitterError {
  return new SitterError(
    'MASTER_KEY_WRONG',
    `The master key given for workspace ${where} is not the one it was created with.`,
    'Use the key this workspace was created with (check SITTER_MASTER_KEY / SITTER_MASTER_KEY_FILE, ' +
      'or the key file). A wrong key cannot decrypt anything, and Sitter never re-keys a workspace.',
  );
}

/** The master key from where the marker says it lives, checked against the marker's check value. */
export function masterKeyOf(paths: WorkspacePaths, marker: Marker, env: Env): { key: Buffer; warnings: string[] } {
  const { key, warnings } = loadMasterKey(marker.masterKey ?? { kind: 'workspace' }, paths.masterKey, paths.dir, env);
  if (marker.masterKeyCheck && keyCheck(key) !== marker.masterKeyCheck) throw wrongKeyError(paths.dir);
  return { key, warnings };
}

/** A new workspace goes into a new or empty folder, never over anything else. */
export function assertFolderUsable(paths: WorkspacePaths): void {
  if (!existsSync(paths.dir)) return;
  if (!statSync(paths.dir).isDirectory()) {
    throw new SitterError(
      'WORKSPACE_NOT_A_FOLDER',
      `${paths.dir} exists and is not a folder.`,
      'Choose another --workspace path.',
    );
  }
  const leftovers = readdirSync(paths.dir);
  if (leftovers.length > 0) {
    throw new SitterError(
      'WORKSPACE_FOLDER_NOT_EMPTY',
      `${paths.dir} is not empty and is not a Sitter workspace (${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', ...' : ''}).`,
      'Sitter keeps biometric data in its workspace and locks it to your user: give it an empty or new folder with --workspace.',
    );
  }
}

/** The folder was empty or new: a failed init (a full disk) leaves it empty, so init can run again. */
export function emptyFolder(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}
