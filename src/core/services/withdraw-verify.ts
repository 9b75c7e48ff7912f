/**
 * The read-back after a withdrawal's DAM update (contract 3): what the source holds now, read through
 * the connector's `readWritten` (never a cache), for every asset the withdrawal touched. A receipt
 * that said "removed" on the strength of a 200 from a DAM that queues edits for approval, or ignores
 * read-only fields, would be false; this says what was seen.
 */
import type { Asset } from '../domain/records.js';
import type { Connector } from '../ports/connector.js';
import { mentionsOf, type PersonIdentity } from './erasure-check.js';
import { pushCall } from './push-outcome.js';

/**
 * `clean`: every touched asset was read back and names the person nowhere. `still-named`: one does.
 * `pending-approval`: the DAM holds an edit of Sitter's awaiting approval, so what it will show is not
 * known yet. `not-verifiable`: the connector cannot read back, or a read failed.
 */
export type SourceVerdict = 'clean' | 'still-named' | 'pending-approval' | 'not-verifiable';

export interface SourceCheck {
  verdict: SourceVerdict;
  /** assets read back */
  assets: number;
  /** where the person is still named (locations, never the text) */
  stillNamed: string[];
  /** where an edit awaits the DAM's approval */
  pendingApproval: string[];
  /** what could not be read back, and why */
  notVerifiable: string[];
  /**
   * Where the person's name or reference still appears in text Sitter did not write (a tag or caption
   * the user typed): not Sitter's to remove, so not a failed withdrawal, but said, since `erase`
   * reports the same places as traces.
   */
  otherMentions: string[];
  /** what to do, when the verdict is not `clean` */
  hint?: string;
}

const CANNOT_READ_BACK = ' cannot read back what it wrote';

/** A `notVerifiable` entry that says the connector has no read-back at all (no rerun changes that). */
export const cannotReadBack = (entry: string): boolean => entry.endsWith(CANNOT_READ_BACK);

/** Reads back the touched assets; the worst finding decides the verdict. */
export async function verifyInSource(
  connector: Connector | undefined,
  source: string,
  assets: readonly Pick<Asset, 'connectorAssetId'>[],
  person: PersonIdentity,
  /** the command that finishes and re-verifies the withdrawal, for the hint */
  rerun: string,
  /** filled with the ids of the assets found still naming the person (to update them again) */
  stillNamedAssets: string[] = [],
): Promise<SourceCheck> {
  const check: SourceCheck = {
    verdict: 'clean',
    assets: 0,
    stillNamed: [],
    pendingApproval: [],
    notVerifiable: [],
    otherMentions: [],
  };
  for (const asset of assets) {
    if (!connector?.readWritten) {
      check.notVerifiable.push(
        `${asset.connectorAssetId}: ${connector ? `${connector.info.name}${CANNOT_READ_BACK}` : 'the connector could not be opened'}`,
      );
      continue;
    }
    try {
      const files = await connector.readWritten(source, asset.connectorAssetId, pushCall);
      check.assets += 1;
      for (const file of files) {
        // A file with an edit awaiting approval shows the old text: what it will say is not known yet.
        if (file.pendingApproval) check.pendingApproval.push(file.location);
        // Sitter's own statement about the person carries their consent URI wherever Sitter names
        // them (XMP PersonId, a DAM ledger line). The name alone may be the user's own (a tag or a
        // caption the user typed): a withdrawal removes Sitter's statement, not the user's text,
        // which `erase` reports as a trace instead.
        else {
          const mentions = mentionsOf(file.text, person);
          if (mentions.includes('consent URI')) {
            check.stillNamed.push(file.location);
            if (!stillNamedAssets.includes(asset.connectorAssetId)) stillNamedAssets.push(asset.connectorAssetId);
          } else if (mentions.length > 0) check.otherMentions.push(file.location);
        }
      }
    } catch (error) {
      check.notVerifiable.push(`${asset.connectorAssetId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  check.verdict = check.stillNamed.length
    ? 'still-named'
    : check.pendingApproval.length
      ? 'pending-approval'
      : check.notVerifiable.length
        ? 'not-verifiable'
        : 'clean';
  const hint = HINTS[check.verdict];
  return hint ? { ...check, hint: hint(rerun) } : check;
}

const HINTS: Partial<Record<SourceVerdict, (rerun: string) => string>> = {
  'still-named': (rerun) =>
    `The DAM did not take the removal (a read-only field, or another editor put it back): fix that in the DAM, then run ${rerun} again.`,
  'pending-approval': (rerun) =>
    `The DAM holds Sitter's removal for an approver: once it is approved, run ${rerun} again to verify.`,
  'not-verifiable': (rerun) =>
    `Check in the DAM that these assets no longer name the person, or run ${rerun} again when the connector can read back.`,
};
