/**
 * The refusal every connector gives when an asset's content is no longer what Sitter analysed
 * (`PushPayload.expectedContentHash`): the faces, boxes and names on record belong to the old content,
 * so writing them onto the new one would name the wrong people.
 */
import { SitterError } from '../core/domain/errors.js';

export const ASSET_CHANGED = 'ASSET_CHANGED';

export function assetChanged(assetId: string, expected: string, actual: string): SitterError {
  return new SitterError(
    ASSET_CHANGED,
    `"${assetId}" changed since it was scanned (its content is ${actual.slice(0, 19)}..., the scan ` +
      `saw ${expected.slice(0, 19)}...); nothing was written, so its metadata cannot name the people ` +
      `of the old photo.`,
    'Scan the shoot again (`sitter scan SHOOT` rescans every changed photo), review its faces, then push again.',
    { assetId, expectedContentHash: expected, contentHash: actual },
  );
}
