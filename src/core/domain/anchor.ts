import { type AuditEntry } from './audit.js';
import { SitterError } from './errors.js';

/**
 * An anchor is the chain's head written down outside the workspace: `HASH@SEQ`. A chain cannot by
 * itself show that its newest entries were cut off (the shorter chain still links); compared with an
 * anchor kept elsewhere, it can: the chain must still reach SEQ, and its entry SEQ must have HASH.
 */
export interface AuditAnchor {
  hash: string;
  seq: number;
}

export function formatAnchor(entry: Pick<AuditEntry, 'hash' | 'seq'>): string {
  return `${entry.hash}@${entry.seq}`;
}

export function parseAnchor(text: string): AuditAnchor {
  const m = /^([0-9a-f]{64})@([1-9]\d*)$/i.exec(text.trim());
  if (!m) {
    throw new SitterError(
      'BAD_ANCHOR',
      `"${text}" is not an audit anchor.`,
      'An anchor is HASH@SEQ as printed by receipts, `audit export` and `audit verify`, e.g. 3f2a…c9@42 (64 hex digits, @, the entry number).',
    );
  }
  return { hash: m[1]!.toLowerCase(), seq: Number(m[2]) };
}

export type AnchorVerdict = { ok: true } | { ok: false; reason: string };

/** Does the (already verified) chain still reach the anchor, with the same entry there? */
export function checkAnchor(entries: readonly Pick<AuditEntry, 'hash' | 'seq'>[], anchor: AuditAnchor): AnchorVerdict {
  const at = entries.find((e) => e.seq === anchor.seq);
  if (!at) {
    const head = entries.at(-1);
    return {
      ok: false,
      reason: `the chain ends at entry ${head?.seq ?? 0}, before the anchored entry ${anchor.seq}: entries were cut off`,
    };
  }
  if (at.hash !== anchor.hash)
    return {
      ok: false,
      reason: `entry ${anchor.seq} has hash ${at.hash}, not the anchored ${anchor.hash}: the chain was rewritten from there or earlier`,
    };
  return { ok: true };
}
