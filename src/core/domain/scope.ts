import { SitterError } from './errors.js';

/**
 * Rule 1 (scope): only assets that the shoot's connector listed for the shoot's source are processed.
 * The listing is the connector's answer for this shoot's source; anything else is refused, whatever
 * path or id a caller hands in.
 */
export function assertListedAsset(shootId: string, listedAssetIds: ReadonlySet<string>, assetId: string): void {
  if (!listedAssetIds.has(assetId)) {
    throw new SitterError(
      'ASSET_OUT_OF_SCOPE',
      `Asset "${assetId}" was not listed by the connector for shoot "${shootId}": it is outside the shoot's scope.`,
      'Only assets inside the shoot source can be processed. Move the file into the shoot source, or create a shoot for it.',
    );
  }
}
