/**
 * What a record of processing says about the workspace's own security (GDPR Art. 32), read from
 * the workspace as it is: where the master key lives (workspace.json, never the key), and the
 * modes of the folder and the database file.
 */
import { readFileSync, statSync } from 'node:fs';
import type { MasterKeySource } from './master-key.js';
import type { WorkspacePaths } from './workspace.js';

export interface WorkspaceSecurity {
  folder: string;
  masterKey: MasterKeySource;
  /** octal, e.g. "0700" */
  folderMode: string;
  databaseMode: string;
  /** a team workspace's database as HOST:PORT/DB, no user and no credentials; null on SQLite */
  server: string | null;
}

/** HOST:PORT/DB of a recorded database URL: where the data is, without who logs in. */
function serverOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

const octal = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

export function workspaceSecurity(paths: WorkspacePaths): WorkspaceSecurity {
  const marker = JSON.parse(readFileSync(paths.marker, 'utf8')) as { masterKey?: MasterKeySource; database?: string };
  return {
    folder: paths.dir,
    masterKey: marker.masterKey ?? { kind: 'workspace' },
    folderMode: octal(paths.dir),
    // A team workspace's database is on its server, guarded by PostgreSQL's roles, not by a file mode.
    databaseMode: marker.database ? `server (${serverOf(marker.database)})` : octal(paths.database),
    server: marker.database ? serverOf(marker.database) : null,
  };
}
