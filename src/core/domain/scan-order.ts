/**
 * The order a scan hands assets to the engine: largest first.
 *
 * A scan ends when its slowest image ends. Started last, a large photo (a group shot at full
 * resolution, seconds of decoding and tiling) keeps one engine worker busy alone while the others
 * have nothing left to do: on `npm run bench:scan` the last image ran alone for 0.3-0.6 s of a 6 s
 * scan. Starting the largest first (the "longest processing time first" rule) leaves the small ones
 * to fill the workers at the end. A file's size stands in for its work (decoded pixels); an asset
 * whose listing gives no size (some DAM searches) counts as the median of those that do (the upper
 * middle one of an even count), and assets of equal size keep the listing's order, so a listing
 * without sizes is scanned as listed.
 */
export function largestFirst<T extends { size?: number }>(assets: readonly T[]): T[] {
  return largestFirstBy(assets, (a) => a.size);
}

/** `largestFirst` over anything that carries an asset: a queued job's row, say. */
export function largestFirstBy<T>(items: readonly T[], sizeOf: (item: T) => number | undefined): T[] {
  const sizeIfKnown = (item: T) => {
    const size = sizeOf(item);
    return typeof size === 'number' && Number.isFinite(size) ? size : undefined;
  };
  const known = items.map(sizeIfKnown).filter((s): s is number => s !== undefined);
  if (known.length === 0) return [...items];
  const sorted = [...known].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const work = (item: T) => sizeIfKnown(item) ?? median;
  // Array.prototype.sort is stable (ES2019): equal sizes keep the listing's order
  return [...items].sort((a, b) => work(b) - work(a));
}
