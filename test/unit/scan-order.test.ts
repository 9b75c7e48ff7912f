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
    const listed = [{ id: 'small', size: 1 }, { id: 'unknown' }, { id: 'mid', size: 5 }, { id: 'big', size: 9 }];
    expect(largestFirst(listed).map((a) => a.id)).toEqual(['big', 'unknown', 'mid', 'small']);
  });

  it('scans a listing without sizes (a DAM search that gives none) as listed', () => {
    const listed = [{ id: 'x' }, { id: 'y' }, { id: 'z', size: Number.NaN }];
    expect(largestFirst(listed).map((a) => a.id)).toEqual(['x', 'y', 'z']);
  });
});
