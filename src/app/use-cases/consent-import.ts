import { consentFileAccessFor, readConsentFile } from '../../core/store/files/consent-files.js';
import { type ConsentImport, parseConsentFile } from '../../core/consent/index.js';
import { isSitterError } from '../../core/domain/errors.js';
import {
  type ConsentImportOptions,
  type ConsentImportSummary,
  importConsent,
} from '../../core/services/consent-service.js';
import { pushShoot, type PushSummary } from '../../core/services/push-service.js';
import type { Session } from '../session.js';
import { withShootConnector } from './shoot-connector.js';

/** A consent file read and parsed, before any workspace is opened (a broken file is said first). */
export interface ConsentFileRead {
  path: string;
  parsed: ConsentImport;
}

export async function readConsentImport(path: string): Promise<ConsentFileRead> {
  return { path, parsed: await parseConsentFile(await readConsentFile(path), consentFileAccessFor(path)) };
}

/** Why the DAM could not be brought in line at all: the withdrawal stands, the DAM still names the person. */
export interface DamUnreached {
  code: string;
  message: string;
  hint: string;
}

export interface ConsentImportResult {
  summary: ConsentImportSummary;
  /** rule 6: the DAM update a withdrawing re-import makes at once; null when no asset named the withdrawn */
  dam: PushSummary | null;
  /** set when the shoot's connector could not be made or reached: never silently another connector */
  damUnreached: DamUnreached | null;
}

/**
 * Imports a consent file; when it withdraws someone named on assets, the DAM is updated at once
 * through the shoot's own connector (rule 6: not at the next push). The import is committed before
 * the DAM is touched, so a DAM that cannot be reached is reported beside the summary, not as if
 * the import had failed.
 */
export async function importConsentFile(
  session: Session,
  shootId: string,
  file: ConsentFileRead,
  options: ConsentImportOptions = {},
): Promise<ConsentImportResult> {
  const summary = await importConsent(session.ctx, shootId, file.parsed, file.path, options);
  if (summary.affectedAssetIds.length === 0) return { summary, dam: null, damUnreached: null };
  try {
    const dam = await withShootConnector(session, summary.shootId, (connector, shoot) =>
      pushShoot(session.ctx, connector, shoot, { assetIds: summary.affectedAssetIds, reason: 'withdrawal' }),
    );
    return { summary, dam, damUnreached: null };
  } catch (error) {
    if (!isSitterError(error)) throw error;
    const damUnreached = {
      code: error.code,
      message: `The withdrawal is recorded, but the DAM metadata was not updated: ${error.message}`,
      hint: `${error.hint ? `${error.hint} ` : ''}Then run \`sitter push ${summary.shootId} --withdrawals\` to take the withdrawn off the DAM.`,
    };
    return { summary, dam: null, damUnreached };
  }
}
