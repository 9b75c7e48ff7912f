import { flagsAfterWithdrawal } from '../domain/asset-flags.js';
import { lapseEffect, revocation, revokedReasonOf } from '../domain/face-transitions.js';
import { participantSubject } from '../domain/pseudonym.js';
import type { Participant } from '../domain/records.js';
import type { UnitOfWork } from '../ports/store.js';
import { placesNaming } from './push-ledger.js';
import { loadRoster } from './roster.js';

export interface CascadeResult {
  templatesDeleted: number;
  matchesRevoked: number;
  /** assets whose pushed metadata must be updated through the connector (faces and push records) */
  affectedAssetIds: number[];
}

/**
 * Rule 6, inside the store: a withdrawn participant's templates go, every face linked to them loses
 * the link and its embedding, and the assets are flagged so their DAM metadata gets updated.
 */
export async function withdrawalCascade(uow: UnitOfWork, participant: Participant): Promise<CascadeResult> {
  const templatesDeleted = await uow.templates.deleteByParticipant(participant.id);
  const faces = await uow.faces.listByParticipant(participant.id);
  const affected = new Set<number>();
  for (const face of faces) {
    Object.assign(face, revocation('consent-withdrawn'));
    affected.add(face.assetId);
  }
  // Every place a push named them, even where a rescan has since replaced the faces they were on.
  for (const place of await placesNaming(uow, participant.shootId, participant.id)) affected.add(place.assetId);
  const assets = await uow.assets.listByShoot(participant.shootId);
  for (const asset of assets) {
    // The face is now an unnamed person: the asset needs manual handling like any other.
    if (affected.has(asset.id)) asset.flags = flagsAfterWithdrawal(asset.flags);
  }
  return { templatesDeleted, matchesRevoked: faces.length, affectedAssetIds: [...affected] };
}

export interface SweepResult {
  participants: string[];
  templatesDeleted: number;
  matchesRevoked: number;
  affectedAssetIds: number[];
}

/**
 * Rules 3 and 6 over time: consent that lapsed since the last command (a withdrawal dated in the
 * past by now, an expiry, a change to "biometrics no") takes effect before any processing. A
 * withdrawn person gets the full cascade; anyone else no longer eligible loses templates and pending
 * proposals, while confirmed identifications stay (they were made under valid consent).
 */
export async function sweepLapsedConsent(
  uow: UnitOfWork,
  shootId: string,
  now: Date,
  actor: string,
): Promise<SweepResult> {
  const result: SweepResult = { participants: [], templatesDeleted: 0, matchesRevoked: 0, affectedAssetIds: [] };
  const templates = await uow.templates.listByShoot(shootId);
  const roster = await loadRoster(uow, shootId, now);
  // A withdrawal that arrived (dated in the past by now) makes its form withdrawn for good (rule 6).
  await uow.withdrawals.rememberForms(
    shootId,
    roster.flatMap((e) =>
      e.status === 'withdrawn' && e.consent?.withdrawnAt
        ? [{ formSha256: e.consent.formSha256, withdrawnAt: e.consent.withdrawnAt }]
        : [],
    ),
  );
  for (const entry of roster) {
    if (entry.status === 'eligible') continue;
    const status = entry.status;
    const p = entry.participant;
    const faces = (await uow.faces.listByParticipant(p.id)).filter(
      (f) => f.state === 'proposed' || f.state === 'confirmed',
    );
    const pending = faces.filter((f) => f.state === 'proposed');
    const effect = lapseEffect(status, {
      templates: templates.some((t) => t.participantId === p.id),
      proposed: pending.length,
      confirmed: faces.length - pending.length,
    });
    if (effect === 'nothing') continue;
    if (effect === 'withdrawal-cascade') {
      const cascade = await withdrawalCascade(uow, p);
      result.templatesDeleted += cascade.templatesDeleted;
      result.matchesRevoked += cascade.matchesRevoked;
      result.affectedAssetIds.push(...cascade.affectedAssetIds);
    } else {
      result.templatesDeleted += await uow.templates.deleteByParticipant(p.id);
      for (const f of pending) Object.assign(f, revocation(revokedReasonOf(status)));
      result.matchesRevoked += pending.length;
    }
    result.participants.push(p.externalRef);
    await uow.audit.append(
      { actor, action: 'consent.lapsed', shootId, subject: participantSubject(p), details: { status: entry.status } },
      now,
    );
  }
  return result;
}
