/**
 * The team's scan queue of an open workspace: pg-boss on the team database, loaded only by the
 * commands that use it. A SQLite workspace has no queue: its scans run on the machine that holds it.
 */
import { SitterError } from '../core/domain/errors.js';
import type { ScanQueue } from '../core/ports/scan-queue.js';
import type { Session } from './session.js';

/** The team database's URL (never a password), or the refusal of a single-user workspace. */
export function teamDatabaseOf(session: Session): string {
  const ws = session.ws;
  if (ws.driver !== 'postgresql') {
    throw new SitterError(
      'QUEUE_NEEDS_TEAM_WORKSPACE',
      'The scan queue needs a team workspace (PostgreSQL): this workspace is a SQLite file, which only this machine can open.',
      'Scan here with "sitter scan SHOOT" (it uses every core of this machine), or make a team workspace with "sitter init --database postgres://USER@HOST/DB" (docs/team.md) to scan on several machines.',
    );
  }
  return ws.database;
}

export async function openScanQueue(session: Session): Promise<ScanQueue> {
  const url = teamDatabaseOf(session);
  const { PgBossScanQueue } = await import('../core/store/queue/pg-boss-scan-queue.js');
  return PgBossScanQueue.open(url);
}

/** The queue for reading only (`scan --status`, the app's polling): null while no `scan --queue` made it. */
export async function openInstalledScanQueue(session: Session): Promise<ScanQueue | null> {
  const url = teamDatabaseOf(session);
  const { PgBossScanQueue } = await import('../core/store/queue/pg-boss-scan-queue.js');
  return PgBossScanQueue.openInstalled(url);
}
