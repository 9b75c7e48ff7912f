/**
 * Listing a shoot with nothing but what Asset Bank documents: the `assetIds=a-b` filter and "a short
 * page is complete" (the server's order is unknown, and the fake sorts by date modified to prove it
 * does not matter). Pure: the connector injects the search, so this is tested without a server.
 *
 * `id-window` (default): each page first asks ids `lastId+1 … 2^31-1`. A short answer is complete. A
 * full one (100) is narrowed by bisection until a window answers short: that window is an exact
 * snapshot of its ids, emitted in id order. So every asset present throughout comes exactly once, a
 * removal never shifts another asset, and an asset added mid-listing comes at most once.
 *
 * `page`: plain `page`/`pageSize`, stopping on a short page and dropping repeats. It may miss an asset
 * when others are removed mid-listing (docs/asset-bank.md).
 */
import { SitterError } from '../../core/domain/errors.js';
import { connectorFailure } from '../errors.js';

/** Asset Bank's page cap (`pageSize` default and maximum). */
export const SERVER_PAGE = 100;
export const MAX_ID = 2147483647;
/** assets a window aims at: well under the page cap, so the usual spread of ids still answers short */
const TARGET = 70;

export interface IdRange {
  from: number;
  to: number;
}

export interface Identified {
  id: number;
}

/** Listing position carried by the cursor: everything with an id ≤ `after` is done. */
export interface ListingPosition {
  after: number;
  /** requests spent on this listing so far (bounds endless pagination across pages) */
  requests: number;
  /** the id span the next window should cover (from the density seen so far); 0 = ask the whole rest */
  width?: number;
}

export type PagingMode = 'id-window' | 'page';
const CURSOR_PREFIX: Record<PagingMode, string> = { 'id-window': 'ab1', page: 'ab1p' };

/**
 * `ab1.<source tag>.<after>.<requests>` (`ab1p.…` with a page number for `paging: page`); another
 * source's cursor, another mode's, or a mangled one is refused.
 */
export function encodeCursor(mode: PagingMode, tag: string, pos: ListingPosition): string {
  return `${CURSOR_PREFIX[mode]}.${tag}.${pos.after}.${pos.requests}.${pos.width ?? 0}`;
}

export function decodeCursor(mode: PagingMode, tag: string, cursor: string | null | undefined): ListingPosition {
  if (cursor == null) return { after: 0, requests: 0, width: 0 };
  const m = /^(ab1p?)\.([0-9a-f]{8})\.(\d{1,10})\.(\d{1,7})\.(\d{1,10})$/.exec(cursor);
  if (!m || m[1] !== CURSOR_PREFIX[mode] || m[2] !== tag || Number(m[3]) > MAX_ID || Number(m[5]) > MAX_ID)
    throw new SitterError(
      'INVALID_CURSOR',
      'The listing cursor is not one the asset-bank connector made for this source.',
      'Start the listing again from the first page.',
    );
  return { after: Number(m[3]), requests: Number(m[4]), width: Number(m[5]) };
}

/** The most requests one listing may make: 2·ceil(maxAssets/100)+50. */
export function requestCap(maxAssets: number): number {
  return 2 * Math.ceil(maxAssets / SERVER_PAGE) + 50;
}

function endless(cap: number): SitterError {
  return connectorFailure(
    'bad-response',
    `The listing did not end after ${cap} searches (endless pagination).`,
    'The server keeps answering full pages. Check the source, or raise maxAssets if the shoot really is that large.',
  );
}

function ignoresFilter(range: IdRange, id: number): SitterError {
  return connectorFailure(
    'bad-response',
    `Asked for assets ${range.from}-${range.to}, the search answered asset ${id}: ` +
      'the server ignored the assetIds filter, so the scope of its answers cannot be trusted.',
    'Check that url points at Asset Bank itself (not a proxy that rewrites queries), or set paging=page.',
  );
}

export interface IdWindowPage<T> {
  items: T[];
  /** null when the listing is complete */
  next: ListingPosition | null;
}

/**
 * One page of at most `pageSize` assets after `pos`, by id windows. `search` must answer at most
 * SERVER_PAGE items of the range it is given.
 */
export async function listIdWindowPage<T extends Identified>(
  search: (range: IdRange) => Promise<T[]>,
  pos: ListingPosition,
  pageSize: number,
  maxAssets: number,
): Promise<IdWindowPage<T>> {
  const cap = requestCap(maxAssets);
  let requests = pos.requests;
  const ask = async (range: IdRange): Promise<T[]> => {
    if (++requests > cap) throw endless(cap);
    const got = await search(range);
    for (const item of got) if (item.id < range.from || item.id > range.to) throw ignoresFilter(range, item.id);
    return got;
  };
  const items: T[] = [];
  let after = pos.after;
  let width = pos.width ?? 0;
  while (items.length < pageSize) {
    const from = after + 1;
    if (from > MAX_ID) return { items, next: null };
    let to = width === 0 ? MAX_ID : Math.min(MAX_ID, from + width - 1);
    let got = await ask({ from, to });
    // Full: narrow the window until it answers short. The ids seen bound it from above; a quarter at
    // a time reaches a dense shoot's scale in a few searches, and the width found is carried on.
    while (got.length >= SERVER_PAGE) {
      if (from === to) throw fullSingleId(from);
      const hi = Math.min(to, Math.max(...got.map((g) => g.id)));
      to = from + Math.max(0, Math.floor((hi - from + 1) / 4) - 1);
      got = await ask({ from, to });
    }
    const sorted = [...new Map(got.map((g) => [g.id, g])).values()].sort((a, b) => a.id - b.id);
    const span = to - from + 1;
    // Aim the next window at about TARGET assets from the density just seen, growing at most 16-fold
    // a step so a sparse stretch (or the empty tail) is crossed in a few searches, not one per id gap.
    width = Math.max(1, Math.floor(span * Math.min(16, TARGET / Math.max(sorted.length, 1))));
    if (from + width - 1 >= MAX_ID) width = 0;
    const room = pageSize - items.length;
    if (sorted.length > room) {
      items.push(...sorted.slice(0, room));
      return { items, next: { after: items[items.length - 1]!.id, requests, width } };
    }
    items.push(...sorted);
    if (to === MAX_ID) return { items, next: null };
    after = to;
  }
  return { items, next: { after, requests, width } };
}

function fullSingleId(id: number): SitterError {
  return connectorFailure(
    'bad-response',
    `The search answered a full page for the single asset id ${id}.`,
    'The server is not filtering by assetIds; set paging=page, or check that url points at Asset Bank itself.',
  );
}

export interface PagedPage<T> {
  items: T[];
  /** the next page number, or null when the listing is complete */
  nextPage: number | null;
  requests: number;
}

/**
 * Fallback `paging: page`: one server page per call, repeats (ids already in `seen`) dropped, a short
 * page ends the listing, the same request cap.
 */
export async function listPlainPage<T extends Identified>(
  searchPage: (page: number) => Promise<T[]>,
  page: number,
  requests: number,
  seen: Set<number>,
  maxAssets: number,
): Promise<PagedPage<T>> {
  const cap = requestCap(maxAssets);
  if (requests + 1 > cap) throw endless(cap);
  const got = await searchPage(page);
  const items = got.filter((g) => !seen.has(g.id) && seen.add(g.id));
  return { items, nextPage: got.length < SERVER_PAGE ? null : page + 1, requests: requests + 1 };
}
