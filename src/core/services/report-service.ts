import type { FaceState } from '../domain/records.js';
import type { ServiceContext } from './context.js';
import { loadMatches } from './matches-service.js';
import { countRoster, loadRoster, type RosterCounts } from './roster.js';
import { requireShoot } from './context.js';
import { PUSHED_FLAG } from '../domain/asset-flags.js';
import { loadClearanceFacts } from './clearance-service.js';
import { awaitsPush } from './push-selection.js';

export interface ParticipantReport {
  participant: string;
  name: string;
  consent: string;
  proposed: number;
  confirmed: number;
  rejected: number;
}

/** One confirmed face and the consent record version it was named under: one answer per face. */
export interface ConfirmationReport {
  asset: string;
  face: number;
  participant: string;
  /** null: confirmed before Sitter recorded the version relied on */
  consentRecord: number | null;
  formSha256: string | null;
  /** false when the participant's record has a newer version since the confirmation */
  current: boolean | null;
}

export interface ShootReport {
  shoot: string;
  status: string;
  roster: RosterCounts;
  assets: {
    total: number;
    scanned: number;
    failed: number;
    pending: number;
    withUnidentified: number;
    pushed: number;
    /** assets a push would bring to the DAM now: never pushed with a confirmed person, or changed since their last push */
    awaitingPush: number;
    /** refused: captured outside the shoot's days (never analysed) */
    outsideDates: number;
    /** held: no capture time, waiting for a person to allow them */
    noCaptureTime: number;
  };
  faces: Record<FaceState | 'total', number>;
  pendingReview: number;
  participants: ParticipantReport[];
  confirmations: ConfirmationReport[];
  failures: { asset: string; error: string }[];
  /** every asset kept out of processing by its capture time, with the reason */
  outOfScope: { asset: string; state: 'refused' | 'held'; reason: string }[];
  todo: string[];
}

/** What a shoot's processing has produced so far, and what is left to do. */
export async function shootReport(ctx: ServiceContext, shootId: string): Promise<ShootReport> {
  const now = ctx.clock.now();
  const { shoot, roster, facts } = await ctx.store.transaction(async (uow) => ({
    shoot: await requireShoot(uow, shootId),
    roster: await loadRoster(uow, shootId, now),
    facts: await loadClearanceFacts(uow, shootId),
  }));
  const matches = await loadMatches(ctx, shootId);
  const faces: ShootReport['faces'] = { total: 0, proposed: 0, confirmed: 0, rejected: 0, unidentified: 0, ignored: 0 };
  const confirmations: ConfirmationReport[] = [];
  const per = new Map<string, ParticipantReport>(
    roster.map((r) => [
      r.participant.externalRef,
      {
        participant: r.participant.externalRef,
        name: r.participant.displayName,
        consent: r.status,
        proposed: 0,
        confirmed: 0,
        rejected: 0,
      },
    ]),
  );
  for (const a of matches.assets) {
    for (const f of a.faces) {
      faces.total += 1;
      faces[f.state] += 1;
      const p = f.participant ? per.get(f.participant) : undefined;
      if (p && (f.state === 'proposed' || f.state === 'confirmed' || f.state === 'rejected')) p[f.state] += 1;
      if (f.state === 'confirmed' && f.participant) {
        const c = f.consentRecord;
        confirmations.push({
          asset: a.assetRef,
          face: f.face,
          participant: f.participant,
          consentRecord: c?.id ?? null,
          formSha256: c?.formSha256 ?? null,
          current: c?.current ?? null,
        });
      }
    }
  }
  const assets = {
    total: matches.assets.length,
    scanned: matches.assets.filter((a) => a.scanState === 'scanned').length,
    failed: matches.assets.filter((a) => a.scanState === 'failed').length,
    pending: matches.assets.filter((a) => a.scanState === 'pending').length,
    withUnidentified: matches.assets.filter((a) => a.flags.includes('unidentified-person')).length,
    pushed: matches.assets.filter((a) => a.flags.includes(PUSHED_FLAG)).length,
    awaitingPush: facts.assets.filter((a) => awaitsPush(facts, a, now)).length,
    outsideDates: matches.assets.filter((a) => a.scanState === 'refused').length,
    noCaptureTime: matches.assets.filter((a) => a.scanState === 'held').length,
  };
  const counts = countRoster(roster);
  const todo: string[] = [];
  if (shoot.status === 'draft')
    todo.push(`approve the shoot: sitter shoot approve ${shootId} --dpia REF --approved-by NAME`);
  if (shoot.status === 'approved' && assets.total === 0)
    todo.push(`enrol and scan: sitter enrol ${shootId} && sitter scan ${shootId}`);
  if (faces.proposed > 0) todo.push(`review ${faces.proposed} proposals: sitter review ${shootId}`);
  if (assets.failed > 0)
    todo.push(`look at ${assets.failed} assets that failed to scan (listed below), fix or replace them and scan again`);
  if (assets.noCaptureTime > 0)
    todo.push(
      `decide on ${assets.noCaptureTime} photos without a capture time (listed below): if they belong ` +
        `to the shoot, sitter shoot allow-undated ${shootId} ASSET... --reason TEXT, then scan again`,
    );
  if (assets.withUnidentified > 0)
    todo.push(
      `handle ${assets.withUnidentified} assets showing an unidentified person manually (no consent on record for them)`,
    );
  const earlier = confirmations.filter((c) => c.current === false).length;
  if (earlier > 0)
    todo.push(
      `${earlier} confirmed faces were named under an earlier version of the consent record: check ` +
        `the new form still covers them (sitter matches ${shootId}), reject any it does not`,
    );
  // Only when a push has something to write: after one that found the DAM up to date, nothing is asked.
  if (assets.awaitingPush > 0)
    todo.push(`push ${assets.awaitingPush} assets not up to date in the DAM: sitter push ${shootId}`);
  return {
    shoot: shootId,
    status: shoot.status,
    roster: counts,
    assets,
    faces,
    pendingReview: faces.proposed,
    participants: [...per.values()],
    confirmations,
    failures: matches.assets
      .filter((a) => a.scanState === 'failed')
      .map((a) => ({ asset: a.assetRef, error: a.error ?? '' })),
    outOfScope: matches.assets.flatMap((a) =>
      a.scanState === 'refused' || a.scanState === 'held'
        ? [{ asset: a.assetRef, state: a.scanState, reason: a.error ?? '' }]
        : [],
    ),
    todo,
  };
}
