import { requireShoot } from '../../core/services/context.js';
import type { SignedScansSummary } from '../../core/services/signed-scan-service.js';
import type { Session } from '../session.js';

/**
 * `sitter consent signed`: reads every scan of the folder (the files' codes, outside the transaction)
 * and records the matched ones on their consent records in one unit of work.
 */
export async function recordSignedForms(session: Session, shootId: string, dir: string): Promise<SignedScansSummary> {
  const [{ readSignedScans }, { recordSignedScans }] = await Promise.all([
    import('../../core/store/files/signed-scans.js'),
    import('../../core/services/signed-scan-service.js'),
  ]);
  // A mistyped shoot is said before a folder of large scans is decoded.
  await session.ctx.store.transaction((uow) => requireShoot(uow, shootId));
  const scans = await readSignedScans(dir);
  return recordSignedScans(session.ctx, shootId, scans);
}
