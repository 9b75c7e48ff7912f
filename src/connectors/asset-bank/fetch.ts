/**
 * Fetch: a smaller rendition through `/transform` (or the listed `unwatermarkedLargeImageUrl`) for
 * detection and review crops, the original through `/content` only when asked. Both answer 303 to a
 * content host; the HTTP toolkit follows it only to an allowed host, without Authorization, and stops
 * reading at the byte cap. The bytes are sniffed, never trusted by their name.
 */
import { contentHashOf } from '../../core/domain/content-hash.js';
import type { FetchedAsset, FetchOptions, Rendition } from '../../core/ports/connector.js';
import { connectorFailure } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import { SNIFF_BYTES, sniffImage } from '../local/sniff.js';
import type { AssetBankSettings } from './options.js';
import type { ListedRepr } from './reprs.js';
import { toListedAsset } from './scope.js';

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Asset Bank's documented bound of `unwatermarkedLargeImageUrl` */
const LARGE_IMAGE_MAX = 1300;

/** Where the bytes come from, and which rendition they are (the side asked, capped by previewMax). */
function renditionRequest(item: ListedRepr, rendition: Rendition, s: AssetBankSettings) {
  if (rendition === 'original')
    return { path: `rest/assets/${item.id}/content`, query: {}, rawQuery: '', actual: 'original' as Rendition };
  const side = Math.min(rendition.maxDimension, s.previewMax);
  // The listed large-image URL, when it is on Asset Bank's own origin (a signed URL on another host
  // would need the token-free redirect path, so the transform is used instead).
  const large = item.unwatermarkedLargeImageUrl ? safeUrl(item.unwatermarkedLargeImageUrl) : null;
  if (s.previewVia === 'unwatermarkedLargeImageUrl' && large?.origin === s.origin)
    return {
      path: large.origin + large.pathname,
      query: {},
      rawQuery: large.search.replace(/^\?/, ''),
      actual: { maxDimension: Math.min(side, LARGE_IMAGE_MAX) },
    };
  return {
    path: `rest/assets/${item.id}/transform`,
    query: { width: side, height: side, extension: 'jpg' },
    rawQuery: '',
    actual: { maxDimension: side },
  };
}

export async function fetchAsset(
  http: HttpClient,
  s: AssetBankSettings,
  item: ListedRepr,
  options: FetchOptions,
): Promise<FetchedAsset> {
  const rendition: Rendition = options.rendition ?? 'original';
  const { path, query, actual, rawQuery } = renditionRequest(item, rendition, s);
  const { bytes } = await http.download({
    path,
    ...(rawQuery ? { rawQuery } : {}),
    query: { ...query, ...(s.actAsUserId === undefined ? {} : { userId: s.actAsUserId }) },
    maxBytes: Math.min(options.maxBytes ?? Infinity, s.maxDownloadBytes),
    signal: options.signal,
    priority: options.priority ?? 'bulk',
  });
  const mediaType = sniffImage(bytes.subarray(0, SNIFF_BYTES));
  if (!mediaType)
    throw connectorFailure(
      'out-of-scope',
      `Asset ${item.id} is not an image Sitter decodes (its bytes say so, whatever its type).`,
      'Only images can be scanned; check imageTypeIds if images are refused.',
    );
  return {
    asset: toListedAsset(item, s),
    bytes,
    contentHash: contentHashOf(bytes),
    mediaType,
    ...(actual === 'original' ? {} : { rendition: actual }),
  };
}
