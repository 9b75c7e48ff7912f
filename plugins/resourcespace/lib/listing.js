// One page of a collection: do_search("!collection<ref>") ordered by resource ref, "offset,rows" at a
// time. The cursor keeps the offset reached and the last ref emitted, so the next page finds its
// place again when resources were added to or removed from the collection between pages.
import { IMAGE_EXTENSIONS, listedAsset } from './files.js';
import { collectionOf, makeCursor, readCursor } from './source.js';

/** Rows read before a page's offset, so removals before the cursor do not make the next page skip one. */
const OVERLAP = 5;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * @typedef {import('./files.js').ResourceRow} ResourceRow
 * @typedef {import('../../../src/core/ports/connector.js').SkippedEntry} SkippedEntry
 * @typedef {{ call(fn: string, params: (string | number | boolean)[], opts?: object): Promise<unknown> }} Api
 */

/** The rows of one do_search window, and the collection's total when the server gave it. */
async function searchWindow(
  /** @type {Api} */ api,
  /** @type {import('./api.js').Fail} */ fail,
  /** @type {number} */ collection,
  /** @type {number} */ start,
  /** @type {number} */ rows,
  /** @type {object} */ opts,
) {
  const search = `!collection${collection}`;
  const answer = /** @type {any} */ (
    await api.call('do_search', [search, '', 'resourceid', 0, `${start},${rows}`, 'asc'], opts)
  );
  const data = Array.isArray(answer) ? answer : answer?.data;
  if (!Array.isArray(data) || data.some((r) => !Number.isInteger(Number(r?.ref))))
    throw fail(
      'bad-response',
      `ResourceSpace answered do_search for collection ${collection} with something other than resources.`,
      'Check the ResourceSpace version (do_search with fetchrows "offset,rows").',
    );
  return { data: /** @type {ResourceRow[]} */ (data), total: Array.isArray(answer) ? null : Number(answer.total) };
}

/**
 * @param {{ api: Api, fail: import('./api.js').Fail, refuse: (code: string, message: string, hint: string) => Error }} deps
 * @param {string} source
 * @param {{ cursor?: string | null, pageSize?: number, signal?: AbortSignal }} opts
 */
export async function listPage({ api, fail, refuse }, source, opts) {
  const collection = collectionOf(source, refuse);
  const pageSize = Math.min(Math.max(1, opts.pageSize ?? DEFAULT_PAGE), MAX_PAGE);
  const { offset, lastRef } = opts.cursor ? readCursor(opts.cursor, collection, refuse) : { offset: 0, lastRef: 0 };
  // Read from a little before the offset, and further back while the window starts past the last ref
  // emitted (resources removed before the cursor): ordered by ref, a window that holds lastRef puts
  // every later resource after it, whatever was added or removed meanwhile.
  let start = Math.max(0, offset - (lastRef ? OVERLAP : 0));
  let window;
  for (let back = OVERLAP; ; back *= 4) {
    window = await searchWindow(api, fail, collection, start, pageSize + (offset - start), opts);
    const first = window.data[0];
    if (start === 0 || !lastRef || (first && Number(first.ref) <= lastRef)) break;
    start = Math.max(0, start - back);
  }
  const { data: rows, total } = window;
  const fresh = rows.filter((r) => Number(r.ref) > lastRef);
  const page = fresh.slice(0, pageSize);
  /** @type {import('./files.js').ListedAsset[]} */
  const assets = [];
  /** @type {SkippedEntry[]} */
  const skipped = [];
  for (const row of page) {
    const ext = String(row.file_extension ?? '').toLowerCase();
    if (IMAGE_EXTENSIONS.has(ext)) assets.push(listedAsset(row));
    else
      skipped.push({
        id: String(row.ref),
        reason: 'not-an-image',
        message: `Resource ${row.ref} is a .${ext || '?'} file, not an image Sitter reads.`,
      });
  }
  const last = page.at(-1);
  const nextOffset = start + (last ? rows.indexOf(last) + 1 : 0);
  const more =
    fresh.length > pageSize || (total !== null ? nextOffset < total : rows.length >= pageSize + (offset - start));
  return { assets, skipped, nextCursor: more && last ? makeCursor(collection, nextOffset, Number(last.ref)) : null };
}
