import type { UnitOfWork } from '../ports/store.js';

/** Repository methods that return nothing to wait for: they only stage a change for the commit. */
const STAGING_ONLY = new Set(['shoots.add']);

/**
 * The unit of work with its repositories' calls run one at a time. Services read several things at
 * once (`Promise.all` over repositories) inside one transaction: SQLite's single connection queues
 * them itself, but a PostgreSQL transaction is one node-postgres client, which must not be handed a
 * query while another is running (deprecated, and removed in pg 9).
 */
export function serialUnitOfWork(uow: UnitOfWork): UnitOfWork {
  let tail: Promise<unknown> = Promise.resolve();
  const out: Record<string, unknown> = {};
  for (const [name, repo] of Object.entries(uow) as [string, Record<string, unknown>][]) {
    const wrapped: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      if (typeof fn !== 'function' || STAGING_ONLY.has(`${name}.${method}`)) {
        wrapped[method] = fn;
        continue;
      }
      wrapped[method] = (...args: unknown[]) => {
        const run = tail.then(() => (fn as (...a: unknown[]) => unknown)(...args));
        tail = run.catch(() => undefined);
        return run;
      };
    }
    out[name] = wrapped;
  }
  return out as unknown as UnitOfWork;
}
