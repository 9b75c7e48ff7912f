/**
 * A push's picture of the shoot (read once at its start), and how it is brought up to date for one
 * asset right before that asset is written (push-service.ts `pushAssetAsItIsNow`): another process may
 * withdraw or erase someone while a push runs, and the push must not write them back.
 */
import { consentStatus } from '../domain/consent.js';
import type { ClearanceFacts } from '../domain/clearance.js';
import { PUSHED_FLAG } from '../domain/asset-flags.js';
import { isErased } from '../domain/pseudonym.js';
import type { ConsentLink } from '../domain/review.js';
import type { Asset, ConsentRecord, Face, Participant, PushRecord } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import { loadClearanceFacts } from './clearance-service.js';
import type { ServiceContext } from './context.js';
import type { NamedPlace } from './push-ledger.js';
import { retryWhileLocked } from './retry-locked.js';

export interface Plan {
  shoot: Shoot;
  participants: Map<number, Participant>;
  consents: Map<number, ConsentRecord>;
  faces: Face[];
  assets: Asset[];
  /** open push records by store asset id */
  places: Map<number, PushRecord[]>;
  /** the consent record version each confirmed face was named under, by face id */
  consentLinks: Map<number, ConsentLink>;
  /** what the asset's clearance and why it is out of date are computed from (the push records before this push) */
  clearance: ClearanceFacts;
  /**
   * For a withdrawal's push: every push record of each asset, cleared ones too, by store asset id. An
   * asset written again because the DAM still names a withdrawn person (forced) has them taken off by
   * their consent URI even where their record was cleared already (a DAM that answered "ok" and kept it).
   */
  everRecorded: Map<number, PushRecord[]>;
}

export function wasPushed(plan: Plan, asset: Asset): boolean {
  return (plan.places.get(asset.id)?.length ?? 0) > 0 || asset.flags.includes(PUSHED_FLAG);
}

/**
 * A person erased while this push wrote them (their row blanked meanwhile) was written and then taken
 * off again: the cleared records of those writes hold their consent URI, which names them, and go as
 * the erasure's own cleared records went (erase-service.ts).
 */
export async function forgetErased(ctx: ServiceContext, named: ReadonlySet<number>): Promise<void> {
  await retryWhileLocked(() =>
    ctx.store.transaction(async (uow) => {
      for (const id of named) {
        const participant = await uow.participants.find(id);
        if (participant && isErased(participant)) await uow.pushRecords.deleteClearedByParticipant(id);
      }
    }),
  );
}

/** Whether any of these people lost their consent since the statement naming them was made. */
export async function anyLapsed(ctx: ServiceContext, named: readonly NamedPlace[]): Promise<boolean> {
  return retryWhileLocked(() => ctx.store.transaction((uow) => lapsedAmong(uow, named, ctx.clock.now())));
}

/** The same, read in a unit of work of the caller's (the one that records the write). */
export async function lapsedAmong(uow: UnitOfWork, named: readonly NamedPlace[], now: Date): Promise<boolean> {
  const ids = named.map((n) => n.participantId);
  const consents = await currentConsents(uow, ids);
  return ids.some((id) => {
    const c = consents.get(id);
    return !c || consentStatus(c, now) !== 'eligible';
  });
}

/**
 * The store as it is now for one asset: current consents, the asset's faces and its open places.
 * True when anything differs from the plan (someone's consent, a face, a place).
 */
export async function refreshAsset(ctx: ServiceContext, plan: Plan, asset: Asset): Promise<boolean> {
  const fresh = await retryWhileLocked(() =>
    ctx.store.transaction(async (uow) => {
      const faces = await uow.faces.listByAsset(asset.id);
      const places = await uow.pushRecords.openByAsset(asset.id);
      // Only the people this asset could name or un-name: a whole shoot's consents per asset would be slow.
      const people = new Set<number>(places.map((r) => r.participantId));
      for (const f of plan.faces) if (f.assetId === asset.id && f.participantId !== null) people.add(f.participantId);
      return { faces, places, people, consents: await currentConsents(uow, [...people]) };
    }),
  );
  let moved = false;
  for (const id of fresh.people) {
    const c = fresh.consents.get(id);
    const before = plan.consents.get(id);
    if (before?.id !== c?.id || before?.withdrawnAt?.getTime() !== c?.withdrawnAt?.getTime()) moved = true;
    if (c) plan.consents.set(id, c);
    else plan.consents.delete(id);
  }
  const placesBefore = (plan.places.get(asset.id) ?? []).map((r) => r.id).join();
  if (fresh.places.map((r) => r.id).join() !== placesBefore) moved = true;
  plan.places.set(
    asset.id,
    fresh.places.map((r) => ({ ...r })),
  );
  // A face counts as confirmed only if it was when the push started and still is, to the same person.
  const byId = new Map(fresh.faces.map((f) => [f.id, f]));
  plan.faces = plan.faces.map((f) => {
    if (f.assetId !== asset.id || f.state !== 'confirmed') return f;
    const current = byId.get(f.id);
    if (current?.state === 'confirmed' && current.participantId === f.participantId) return f;
    moved = true;
    // Decided otherwise since, or gone with a rescan: one of the asset's other faces for this write.
    return { ...f, state: current && current.state !== 'confirmed' ? current.state : 'unidentified' };
  });
  return moved;
}

/**
 * The shoot's participants and clearance facts, read again when something moved during the push: the
 * clearance written must count a withdrawn or erased person as such (an erased one has a blank row).
 */
export async function reloadShootFacts(ctx: ServiceContext, plan: Plan): Promise<void> {
  const fresh = await retryWhileLocked(() =>
    ctx.store.transaction(async (uow) => ({
      participants: await uow.participants.listByShoot(plan.shoot.id),
      clearance: await loadClearanceFacts(uow, plan.shoot.id),
    })),
  );
  plan.participants = new Map(fresh.participants.map((p) => [p.id, p]));
  plan.clearance = fresh.clearance;
}

/** The current consent record of each of these participants (none when a participant has none). */
export async function currentConsents(
  uow: UnitOfWork,
  participantIds: readonly number[],
): Promise<Map<number, ConsentRecord>> {
  const found = new Map<number, ConsentRecord>();
  for (const id of new Set(participantIds)) {
    const c = await uow.consents.current(id);
    if (c) found.set(id, c);
  }
  return found;
}
