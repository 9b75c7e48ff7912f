/**
 * The id-window listing (src/connectors/asset-bank/listing.ts, design §2.3) against a simulated
 * search that behaves as Asset Bank documents it: at most 100 results, the `assetIds=a-b` filter,
 * and an order that is not the id order. The real fake server runs the same algorithm in
 * test/contract/asset-bank.contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  listIdWindowPage,
  listPlainPage,
  requestCap,
  SERVER_PAGE,
  type IdRange,
  type ListingPosition,
  type PagedPage,
} from '../../src/connectors/asset-bank/listing.js';

interface Item {
  id: number;
}

/** A deterministic shuffle (mulberry32), so "whatever the server order" is many orders, reproducibly. */
function shuffled<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function server(ids: Iterable<number>, seed: number) {
  const assets = new Set(ids);
  let calls = 0;
  const search = async (r: IdRange): Promise<Item[]> => {
    calls++;
    const inRange = [...assets].filter((id) => id >= r.from && id <= r.to);
    return shuffled(inRange, seed + calls)
      .slice(0, SERVER_PAGE)
      .map((id) => ({ id }));
  };
  return { assets, search, calls: () => calls };
}

async function listAll(
  search: (r: IdRange) => Promise<Item[]>,
  pageSize: number,
  between?: (page: number) => void,
  maxAssets = 100_000,
): Promise<number[]> {
  const out: number[] = [];
  let pos: ListingPosition | null = { after: 0, requests: 0 };
  for (let page = 0; pos; page++) {
    const got: Awaited<ReturnType<typeof listIdWindowPage<Item>>> = await listIdWindowPage(
      search,
      pos,
      pageSize,
      maxAssets,
    );
    out.push(...got.items.map((i) => i.id));
    pos = got.next;
    between?.(page);
  }
  return out;
}

describe('asset-bank id-window listing', () => {
  it('lists each asset once whatever the server order', async () => {
    for (const [seed, ids] of [
      [1, Array.from({ length: 1000 }, (_, i) => i + 1)],
      [2, Array.from({ length: 537 }, (_, i) => 1 + i * 7919)],
      [3, [1, 2, 3, 2147483647]],
      [4, Array.from({ length: 250 }, (_, i) => 5_000_000 + i).concat(Array.from({ length: 80 }, (_, i) => i + 1))],
      [5, []],
    ] as const) {
      for (const pageSize of [1, 37, 100, 500]) {
        const s = server(ids, seed);
        const listed = await listAll(s.search, pageSize);
        expect(listed).toEqual([...ids].sort((a, b) => a - b));
      }
    }
  });

  it('costs about two searches per hundred assets', async () => {
    const s = server(
      Array.from({ length: 2000 }, (_, i) => 10 + i * 3),
      9,
    );
    await listAll(s.search, 100);
    expect(s.calls()).toBeLessThanOrEqual(2 * 20 + 10);
  });

  it('stays correct with assets added and removed between pages', async () => {
    for (const seed of [11, 12, 13, 14]) {
      const initial = Array.from({ length: 800 }, (_, i) => i * 5 + 1);
      const s = server(initial, seed);
      const removed = new Set<number>();
      const added = new Set<number>();
      let next = 10_000;
      const listed = await listAll(s.search, 50, (page) => {
        // Remove an asset ahead of the cursor and one behind it, add one ahead and one behind.
        const present = [...s.assets].sort((a, b) => a - b);
        for (const id of [present[present.length - 1 - page], present[page * 3]]) {
          if (id !== undefined && s.assets.delete(id)) removed.add(id);
        }
        for (const id of [next++, page * 5 + 3]) {
          s.assets.add(id);
          added.add(id);
        }
      });
      const present = initial.filter((id) => !removed.has(id));
      // Every asset present throughout comes exactly once ...
      for (const id of present) expect(listed.filter((x) => x === id)).toHaveLength(1);
      // ... an asset added mid-listing at most once, and nothing that never existed.
      expect(new Set(listed).size).toBe(listed.length);
      for (const id of listed) expect(initial.includes(id) || added.has(id)).toBe(true);
    }
  });

  it('refuses a server that ignores assetIds', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    const ignoring = async () => ids.slice(0, 100).map((id) => ({ id }));
    await expect(listIdWindowPage(ignoring, { after: 120, requests: 0 }, 100, 100_000)).rejects.toMatchObject({
      code: 'CONNECTOR_BAD_RESPONSE',
      message: expect.stringMatching(/ignored the assetIds filter/),
    });
    // A filter that answers a full page for one id is no filter either.
    const full = async (r: IdRange) => Array.from({ length: 100 }, () => ({ id: r.from }));
    await expect(listIdWindowPage(full, { after: 0, requests: 0 }, 100, 100_000)).rejects.toMatchObject({
      code: 'CONNECTOR_BAD_RESPONSE',
      message: expect.stringMatching(/single asset id/),
    });
  });

  it('stops endless pagination', async () => {
    // A server that invents new assets ahead of every search never ends by itself.
    let n = 0;
    const endless = async (r: IdRange) =>
      r.to - r.from > 1000 ? Array.from({ length: 100 }, () => ({ id: r.from + (n++ % 1000) })) : [{ id: r.from }];
    await expect(listAll(endless, 100, undefined, 1000)).rejects.toMatchObject({
      code: 'CONNECTOR_BAD_RESPONSE',
      message: expect.stringMatching(/did not end after 70 searches/),
    });
    expect(requestCap(1000)).toBe(70);
    // The plain page mode keeps to the same cap.
    const seen = new Set<number>();
    let page: number | null = 0;
    let requests = 0;
    await expect(
      (async () => {
        while (page !== null) {
          const got: PagedPage<Item> = await listPlainPage(
            async (p: number) => Array.from({ length: 100 }, (_, i) => ({ id: p * 100 + i })),
            page,
            requests,
            seen,
            1000,
          );
          page = got.nextPage;
          requests = got.requests;
        }
      })(),
    ).rejects.toMatchObject({ code: 'CONNECTOR_BAD_RESPONSE' });
  });

  it('plain paging drops repeats and stops on a short page', async () => {
    const pages = [
      [1, 2, 3, ...Array.from({ length: 97 }, (_, i) => 10 + i)],
      [3, 2, 200],
    ];
    const seen = new Set<number>();
    const a = await listPlainPage(async (p) => pages[p]!.map((id) => ({ id })), 0, 0, seen, 100_000);
    expect(a.nextPage).toBe(1);
    const b = await listPlainPage(async (p) => pages[p]!.map((id) => ({ id })), 1, a.requests, seen, 100_000);
    expect(b.items.map((i) => i.id)).toEqual([200]);
    expect(b.nextPage).toBeNull();
  });

  it('refuses a cursor of another source, another mode, or a mangled one', () => {
    const c = encodeCursor('id-window', 'abcdef01', { after: 42, requests: 3 });
    expect(decodeCursor('id-window', 'abcdef01', c)).toEqual({ after: 42, requests: 3, width: 0 });
    for (const bad of [c.replace('abcdef01', '12345678'), c + 'x', 'ab1..1.1', c.replace('ab1', 'ab1p')])
      expect(() => decodeCursor('id-window', 'abcdef01', bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_CURSOR' }),
      );
  });
});
