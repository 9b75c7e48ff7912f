import type { SignedScansSummary } from '../../core/services/signed-scan-service.js';
import type { Session } from '../session.js';

/**
 * `sitter consent signed`: reads every scan of the folder (the files' codes, before the transaction)
 * and records the matched ones on their consent records in one unit of work.
 */
export async function recordSignedForms(session: Session, shootId: string, dir: string): Promise<SignedScansSummary> {
  const [{ readSignedScans }, { recordSignedScans }] = await Promise.all([
    import('../../core/store/files/signed-scans.js'),
    import('../../core/services/signed-scan-service.js'),
  ]);
  const scans = await readSignedScans(dir);
  return recordSignedScans(session.ctx, shootId, scans);
}
