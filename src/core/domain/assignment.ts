/**
 * Minimum-cost assignment of rows to columns (the Hungarian method, O(n^3)). A cost of Infinity
 * means "never pair these". Returns, for each row, its column or -1. Used so that faces in one image
 * are matched to participants jointly: the globally best pairing, not the greedy face-by-face one.
 */
export function assignMinCost(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows > 0 ? (cost[0]?.length ?? 0) : 0;
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // Square the matrix with dummy cells; a forbidden pair costs more than any allowed total.
  const finite = cost.flat().filter(Number.isFinite);
  const big = (finite.length ? Math.max(...finite.map(Math.abs)) : 1) * (rows + cols + 1) + 1;
  const n = Math.max(rows, cols);
  const a = (i: number, j: number): number => {
    if (i >= rows || j >= cols) return big / 2; // dummy: leaving a face or participant unpaired
    const c = cost[i]?.[j] ?? Infinity;
    return Number.isFinite(c) ? c : big;
  };
  // Classic potentials formulation (1-indexed helpers).
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j]! - 1;
    if (i >= 0 && i < rows && j - 1 < cols && Number.isFinite(cost[i]?.[j - 1] ?? Infinity)) result[i] = j - 1;
  }
  return result;
}
