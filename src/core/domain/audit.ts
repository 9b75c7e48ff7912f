import { createHash } from 'node:crypto';

/**
 * Rule 7: every state-changing action is appended to a hash-chained log. Each entry's hash covers a
 * canonical serialisation of its fields and the previous entry's hash, so editing, deleting or
 * reordering any entry breaks the chain at that entry.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventInput {
  actor: string;
  action: string;
  shootId: string | null;
  subject: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditEventInput {
  seq: number;
  at: Date;
  prevHash: string;
  hash: string;
}

/**
 * JSON with object keys sorted at every depth and no whitespace: the same value always serialises to
 * the same bytes, whatever order its keys were built in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    shoot: entry.shootId,
    subject: entry.subject,
    details: entry.details,
    prev: entry.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** Builds the next entry of the chain after `last` (or the first one). */
export function chainNext(last: Pick<AuditEntry, 'seq' | 'hash'> | null, input: AuditEventInput, at: Date): AuditEntry {
  const base = {
    ...input,
    seq: last ? last.seq + 1 : 1,
    at,
    prevHash: last ? last.hash : GENESIS_HASH,
  };
  return { ...base, hash: auditHash(base) };
}

export type ChainVerdict =
  | { ok: true; count: number; headHash: string; headSeq: number }
  | { ok: false; count: number; firstBadSeq: number; reason: string };

/**
 * Checks a whole chain, read in ascending sequence order. Reports the first sequence number whose
 * entry is missing, altered, out of order or not linked to its predecessor.
 */
export function verifyChain(entries: readonly AuditEntry[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      const reason =
        entry.seq > expectedSeq
          ? `entry ${expectedSeq} is missing (next stored entry is ${entry.seq})`
          : `entry ${entry.seq} appears again or out of order after ${expectedSeq - 1}`;
      return { ok: false, count: entries.length, firstBadSeq: expectedSeq, reason };
    }
    if (entry.prevHash !== prevHash) {
      return {
        ok: false,
        count: entries.length,
        firstBadSeq: entry.seq,
        reason: `entry ${entry.seq} does not link to entry ${entry.seq - 1} (previous hash differs)`,
      };
    }
    if (auditHash(entry) !== entry.hash) {
      return {
        ok: false,
        count: entries.length,
        firstBadSeq: entry.seq,
        reason: `entry ${entry.seq} was altered (its content no longer matches its hash)`,
      };
    }
    prevHash = entry.hash;
    expectedSeq += 1;
  }
  return { ok: true, count: entries.length, headHash: prevHash, headSeq: expectedSeq - 1 };
}
