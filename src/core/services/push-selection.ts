/**
 * Which assets a push brings up to date, and why (issue 13: "bring the DAM up to date"). Every push
 * reconsiders every asset Sitter pushed or may push, and the connector writes only where its metadata
 * differs; this says, for the summary and the audit entry, why an asset's metadata was out of date:
 * the clearance facts that changed after its last push (`changesSincePush`: an expiry passed, a
 * withdrawal, a review decision, a rescan, a new consent version), its first push, or, failing
 * those, that the DAM held something else (another connector option, an edit by hand, an older
 * Sitter's format).
 */
import { type ChangeSincePush, type ClearanceFacts, changesSincePush, lastPushOf } from '../domain/clearance.js';
import { consentStatus } from '../domain/consent.js';
import { SitterError } from '../domain/errors.js';
import type { Asset } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';

export type DamUpdateReason = ChangeSincePush | 'first-push' | 'dam-differed';

/** Why the asset's metadata in the DAM may be out of date now, before the push writes it. */
export function updateReasons(facts: ClearanceFacts, asset: Asset, now: Date): DamUpdateReason[] {
  if (lastPushOf(facts, asset.id) === null) return ['first-push'];
  const changes = changesSincePush(facts, asset, now);
  return changes.length > 0 ? changes : ['dam-differed'];
}

/**
 * Whether a push would bring something to the DAM for this asset now, as `pushShoot` selects: one
 * pushed before when its clearance facts changed since (a push that found the DAM up to date moved
 * its last push forward); one never pushed when it is scanned and shows a confirmed person a push may
 * name (consent eligible now; the others are held back and make no write).
 */
export function awaitsPush(facts: ClearanceFacts, asset: Asset, now: Date): boolean {
  if (lastPushOf(facts, asset.id) !== null) return changesSincePush(facts, asset, now).length > 0;
  if (asset.scanState !== 'scanned') return false;
  return facts.faces.some((f) => {
    if (f.assetId !== asset.id || f.state !== 'confirmed' || f.participantId === null) return false;
    const consent = facts.consents.get(f.participantId);
    return consent !== undefined && consentStatus(consent, now) === 'eligible';
  });
}

/** How many assets a push brought up to date (written or cleared), and how many for each reason. */
export interface BroughtUpToDate {
  assets: number;
  why: Partial<Record<DamUpdateReason, number>>;
}

export function tallyUpdates(
  updated: readonly { action: string; why?: readonly DamUpdateReason[] }[],
): BroughtUpToDate {
  const changed = updated.filter((u) => u.action !== 'unchanged');
  const why: Partial<Record<DamUpdateReason, number>> = {};
  for (const u of changed) for (const r of u.why ?? []) why[r] = (why[r] ?? 0) + 1;
  return { assets: changed.length, why };
}

/**
 * A closed shoot's DAM entries are only ever taken off, never written: its ordinary push is refused,
 * and the hint names the part of it that still runs.
 */
export function assertOpenForPush(shoot: Pick<Shoot, 'id' | 'status'>): void {
  if (shoot.status !== 'closed') return;
  throw new SitterError(
    'SHOOT_CLOSED',
    `Shoot "${shoot.id}" is closed: a push may no longer name anyone from it.`,
    `To take people off the DAM whose consent was withdrawn or has lapsed since: sitter push ${shoot.id} --withdrawals`,
  );
}
