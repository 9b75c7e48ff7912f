import { consentStatus, type ConsentStatus } from '../domain/consent.js';
import type { Shoot } from '../domain/shoot.js';
import { type ServiceContext, requireShoot } from './context.js';
import { loadRoster } from './roster.js';

/** One participant as the review screen shows them (never an embedding, never a template). */
export interface ReviewParticipant {
  /** participant_id from the consent file */
  ref: string;
  name: string;
  status: ConsentStatus | 'no-record';
  minor: boolean;
  /** absolute path of the reference photo from the current consent record, if any */
  referencePhoto: string | null;
  referencePhotoSha256: string | null;
}

/** What the review queue needs besides the proposals: the shoot's head and its roster. */
export interface ReviewInfo {
  shoot: Pick<
    Shoot,
    | 'id'
    | 'name'
    | 'status'
    | 'reviewersRequired'
    | 'matchThreshold'
    | 'matchMargin'
    | 'source'
    | 'connector'
    | 'connectorOptions'
  >;
  /** everyone on the roster, with what their consent allows today */
  participants: ReviewParticipant[];
  /** the participants a face may be assigned to: valid biometric consent only (rule 3) */
  eligible: ReviewParticipant[];
}

export async function reviewInfo(ctx: ServiceContext, shootId: string): Promise<ReviewInfo> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const roster = await loadRoster(uow, shootId, ctx.clock.now());
    const participants = roster.map((e) => ({
      ref: e.participant.externalRef,
      name: e.participant.displayName,
      status: e.status,
      minor: e.participant.minor,
      referencePhoto: e.consent?.referencePhoto ?? null,
      referencePhotoSha256: e.consent?.referencePhotoSha256 ?? null,
    }));
    const { id, name, status, reviewersRequired, matchThreshold, matchMargin, source, connector, connectorOptions } =
      shoot;
    return {
      shoot: { id, name, status, reviewersRequired, matchThreshold, matchMargin, source, connector, connectorOptions },
      participants,
      eligible: participants.filter((p) => p.status === 'eligible'),
    };
  });
}

/** What needs someone's attention in a shoot, as of now. */
export interface ShootAttention {
  /** eligible participants whose biometric consent ends within the horizon */
  expiringConsents: { ref: string; name: string; expiresAt: Date }[];
  /** when the retention period of the biometric data ends (approval + retention days), if approved */
  retentionEndsAt: Date | null;
  /** the retention period has ended: the shoot should be closed (rule 4) */
  retentionDue: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

/** Expiring consent and the retention deadline of one shoot (`horizonDays` ahead for consent). */
export async function shootAttention(ctx: ServiceContext, shootId: string, horizonDays = 30): Promise<ShootAttention> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const now = ctx.clock.now();
    const consents = await uow.consents.currentForShoot(shootId);
    const expiringConsents: ShootAttention['expiringConsents'] = [];
    for (const p of await uow.participants.listByShoot(shootId)) {
      const c = consents.get(p.id);
      if (!c || !c.expiresAt || consentStatus(c, now) !== 'eligible') continue;
      if (c.expiresAt.getTime() - now.getTime() <= horizonDays * DAY)
        expiringConsents.push({ ref: p.externalRef, name: p.displayName, expiresAt: c.expiresAt });
    }
    const retentionEndsAt = shoot.approvedAt ? new Date(shoot.approvedAt.getTime() + shoot.retentionDays * DAY) : null;
    return {
      expiringConsents,
      retentionEndsAt,
      retentionDue: shoot.status !== 'closed' && retentionEndsAt !== null && retentionEndsAt.getTime() <= now.getTime(),
    };
  });
}
