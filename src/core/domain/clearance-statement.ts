import { type ClearanceFacts, type ClearanceReason, assetClearance, scopesOnRecord } from './clearance.js';
import type { Asset } from './records.js';

/**
 * What push tells the DAM about an asset's usage clearance (issue 13): per publication scope on
 * record, whether the asset may be used for it as of the push, and why not; the same answer as
 * `sitter clearance`, from the same facts and the same clock. Pure.
 */

/** One publication scope's clearance of an asset, as push hands it to a connector. */
export interface AssetScopeClearance {
  /** a publication scope as the consent files spell it (`web`, `print`) */
  scope: string;
  /** every face on the asset is a confirmed person whose consent allows this scope now */
  cleared: boolean;
  /** why not, each reason once, sorted (empty when cleared): the codes of `sitter clearance` */
  reasons: ClearanceReason[];
  /**
   * When cleared: the first moment the answer will change by itself, if one is known (the earliest
   * expiry or future-dated withdrawal of a person on it), as an ISO 8601 instant. A DAM can stop
   * using the photo then even before Sitter pushes again.
   */
  until?: string;
}

/** The asset's clearance for every scope the shoot's current consent records name, sorted by scope. */
export function clearanceStatement(facts: ClearanceFacts, asset: Asset, now: Date): AssetScopeClearance[] {
  return scopesOnRecord(facts.consents).map((scope) => {
    const c = assetClearance(facts, asset, scope, now);
    const reasons = [...new Set(c.problems.map((p) => p.reason))].sort();
    const until = c.cleared ? firstChangeOf(facts, c.clearedPeople, now) : null;
    return { scope, cleared: c.cleared, reasons, ...(until ? { until: until.toISOString() } : {}) };
  });
}

/** The earliest expiry or withdrawal still ahead among these people's current records. */
function firstChangeOf(facts: ClearanceFacts, people: readonly number[], now: Date): Date | null {
  let first: Date | null = null;
  for (const id of people) {
    const c = facts.consents.get(id);
    for (const d of [c?.expiresAt, c?.withdrawnAt]) {
      if (d && d.getTime() > now.getTime() && (first === null || d.getTime() < first.getTime())) first = d;
    }
  }
  return first;
}
