/**
 * Rule 1 for Asset Bank: an asset is in a shoot only if the shoot's own search lists it. Assets a
 * listing has met are remembered per source (so push and fetch after a scan cost no extra search);
 * any other id is asked of the server with the same scope and `assetIds=ID`.
 */
import type { CallOptions, ListedAsset, SkippedEntry } from '../../core/ports/connector.js';
import { connectorFailure } from '../errors.js';
import type { AssetBankApi } from './api.js';
import { captureTimeOf } from './capture-time.js';
import type { AssetBankSettings } from './options.js';
import type { ListedRepr } from './reprs.js';
import type { AssetBankSource } from './source-ref.js';

export function revisionOf(item: ListedRepr): string {
  return `m${item.dateLastModifiedTimestamp}`;
}

export function toListedAsset(item: ListedRepr, s: AssetBankSettings): ListedAsset {
  return {
    id: String(item.id),
    fileName: item.originalFilename || `asset-${item.id}`,
    modifiedAt: new Date(item.dateLastModifiedTimestamp),
    revision: revisionOf(item),
    capturedAt: captureTimeOf(item, s.capturedAtLabel, s.capturedAtOffset),
  };
}

/** Why a listed item is not offered as an asset, or null when it is one. */
export function skipOf(item: ListedRepr, s: AssetBankSettings): SkippedEntry | null {
  const id = String(item.id);
  if (item.approved === false && !s.includeUnapproved)
    return { id, reason: 'not-approved', message: `Asset ${id} awaits approval in Asset Bank.` };
  if (item.typeId !== undefined && !s.imageTypeIds.includes(item.typeId))
    return {
      id,
      reason: 'not-an-image',
      message: `Asset ${id} is of asset type ${item.typeId}, not an image type (imageTypeIds).`,
    };
  return null;
}

/** The numeric id of an asset id Sitter was given, or out of scope. */
export function numericId(assetId: string, source: string): number {
  if (!/^[1-9]\d{0,9}$/.test(assetId) || Number(assetId) > 2147483647) throw notInSource(assetId, source);
  return Number(assetId);
}

function notInSource(assetId: string, source: string, why = 'it is not listed by this source') {
  return connectorFailure(
    'out-of-scope',
    `Asset "${assetId.slice(0, 40)}" is not part of source ${source} (${why}).`,
    'Only assets the shoot lists can be fetched or written; check the shoot source, or move the asset into it in Asset Bank.',
  );
}

export class ScopeCache {
  readonly #bySource = new Map<string, Map<number, ListedRepr>>();

  remember(source: string, items: readonly ListedRepr[]): void {
    let m = this.#bySource.get(source);
    if (!m) this.#bySource.set(source, (m = new Map()));
    for (const it of items) m.set(it.id, it);
  }

  cached(source: string, id: number): ListedRepr | undefined {
    return this.#bySource.get(source)?.get(id);
  }

  /**
   * The asset as the source's search shows it now (`fresh`) or as last listed; refuses an id the
   * source would not offer. An id that no search of the source finds is asked directly once, to tell
   * a deleted asset (ASSET_NOT_FOUND, from the 404) from another shoot's (ASSET_OUT_OF_SCOPE).
   */
  async lookup(
    api: AssetBankApi,
    s: AssetBankSettings,
    src: AssetBankSource,
    source: string,
    assetId: string,
    o: CallOptions & { fresh?: boolean },
  ): Promise<ListedRepr> {
    const id = numericId(assetId, source);
    let item = o.fresh ? undefined : this.cached(source, id);
    if (!item) {
      const found = await api.search(src, { range: { from: id, to: id } }, o);
      item = found.find((f) => f.id === id);
      if (found.some((f) => f.id !== id))
        throw connectorFailure(
          'bad-response',
          `Asked for asset ${id}, the search answered others: the server ignored the assetIds filter.`,
          'Check that url points at Asset Bank itself, not a proxy that rewrites queries.',
        );
      if (!item) {
        await api.getAsset(id, o); // a 404 here is ASSET_NOT_FOUND
        throw notInSource(assetId, source);
      }
      this.remember(source, [item]);
    }
    const skip = skipOf(item, s);
    if (skip) throw notInSource(assetId, source, skip.message);
    return item;
  }
}
