import { describe, expect, it } from 'vitest';
import { largestFirst } from '../../src/core/domain/scan-order.js';

describe('the order a scan hands assets to the engine', () => {
  it('puts the largest first and keeps the listing order between equal sizes', () => {
    const listed = [
      { id: 'a', size: 10 },
      { id: 'b', size: 900 },
      { id: 'c', size: 10 },
      { id: 'd', size: 50 },
    ];
    expect(largestFirst(listed).map((a) => a.id)).toEqual(['b', 'd', 'a', 'c']);
    // the listing itself is left as it was
    expect(listed.map((a) => a.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts an asset whose listing gives no size as the median of those that do', () => {
    // uneven sizes: the median (2) is neither the mean (34) nor the largest
    const listed = [{ id: 'small', size: 1 }, { id: 'unknown' }, { id: 'mid', size: 2 }, { id: 'big', size: 100 }];
    expect(largestFirst(listed).map((a) => a.id)).toEqual(['big', 'unknown', 'mid', 'small']);
    // an even count: the upper of the two middle sizes (3), so the unknown one comes after the 3 listed before it
    const even: { id: string; size?: number }[] = [
      { id: 'a', size: 3 },
      { id: 'u' },
      { id: 'b', size: 1 },
      { id: 'c', size: 2 },
      { id: 'v', size: 10 },
    ];
    expect(largestFirst(even).map((x) => x.id)).toEqual(['v', 'a', 'u', 'c', 'b']);
  });

  it('scans a listing without sizes (a DAM search that gives none) as listed', () => {
    const listed = [{ id: 'x' }, { id: 'y' }, { id: 'z', size: Number.NaN }];
    expect(largestFirst(listed).map((a) => a.id)).toEqual(['x', 'y', 'z']);
  });
});
