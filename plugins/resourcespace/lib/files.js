// What a ResourceSpace resource row says about its file: whether Sitter reads it, the facts a listing
// gives, which preview answers a rendition, and what its bytes are.

/**
 * @typedef {import('./types.js').ListedAsset} ListedAsset
 * @typedef {import('./types.js').Rendition} Rendition
 * @typedef {{ ref: number, file_extension?: string | null, file_modified?: string | null, modified?: string | null,
 *   [field: string]: unknown }} ResourceRow
 */

/** Extensions of files Sitter decodes; anything else is listed as skipped, not offered. */
export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff']);

/** ResourceSpace's preview sizes (its defaults), largest first, with the longest side each is at most. */
const PREVIEWS = [
  { size: 'scr', max: 1400 },
  { size: 'pre', max: 900 },
  { size: 'thm', max: 150 },
];

/**
 * The preview for a rendition: the largest whose side fits; null for the original. The sizes are
 * fixed, so below the smallest (thm, 150 px) the smallest is the nearest there is: the fetched
 * asset's `rendition` says which was given.
 * @param {Rendition | undefined} rendition
 */
export function previewFor(rendition) {
  if (!rendition || rendition === 'original') return null;
  return PREVIEWS.find((p) => p.max <= rendition.maxDimension) ?? PREVIEWS[PREVIEWS.length - 1];
}

/** @param {Uint8Array} b the media type the bytes say they are (never the extension) */
export function sniff(b) {
  const at = (/** @type {number} */ i, /** @type {number[]} */ sig) => sig.every((v, k) => b[i + k] === v);
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return 'application/octet-stream';
}

/** `2026-06-01 10:00:00` (ResourceSpace's SQL datetime, server time ⚠ read as UTC) → Date */
function rsDate(/** @type {unknown} */ s) {
  const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s) : null;
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

/** @param {ResourceRow} row @returns {ListedAsset} */
export function listedAsset(row) {
  const ext = String(row.file_extension ?? '').toLowerCase();
  return {
    id: String(row.ref),
    fileName: `${row.ref}.${ext || 'bin'}`,
    modifiedAt: rsDate(row.file_modified) ?? rsDate(row.modified) ?? new Date(0),
    // file_modified moves when a new file is uploaded, not when metadata changes: the content token.
    revision: `f${String(row.file_modified ?? row.modified ?? '')}`.slice(0, 200),
  };
}
