import type { LegalHold } from '../../core/domain/legal-hold.js';

/**
 * One JSON vocabulary for every command (issue 14): the shoot is `shoot`, keys are camelCase. The
 * services keep their own names (`shootId`, status values such as `photos-only` as count keys);
 * the commands rename at the edge, here, so a script reads the same word for the same thing
 * whichever command printed it. docs/cli.md, "JSON output changes", lists each rename.
 */

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
export type CamelKeys<T> = { [K in keyof T as K extends string ? Camel<K> : K]: T[K] };

const camel = (key: string): string => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Counts keyed by a kebab-case status (`photos-only`, `no-record`) with camelCase keys (`photosOnly`). */
export function camelKeys<T extends object>(counts: T): CamelKeys<T> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [camel(k), v])) as CamelKeys<T>;
}

/** A service result's `shootId` as `shoot`, first, as every command prints it. */
export function withShoot<T extends { shootId: string }>(result: T): { shoot: string } & Omit<T, 'shootId'> {
  const { shootId, ...rest } = result;
  return { shoot: shootId, ...rest };
}

/** A legal hold as `shoot show`, `shoot hold` and `erase` print it. */
export function legalHoldJson(hold: LegalHold): { reason: string; by: string; since: string; auditSeq: number } {
  return { reason: hold.reason, by: hold.by, since: hold.since.toISOString(), auditSeq: hold.seq };
}
