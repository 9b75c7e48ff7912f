import { formatAnchor } from '../domain/anchor.js';
import { SitterError } from '../domain/errors.js';
import { HOLD_RELEASED, HOLD_SET, holdFromChain, type LegalHold } from '../domain/legal-hold.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';

export async function currentHold(uow: UnitOfWork, shootId: string): Promise<LegalHold | null> {
  return holdFromChain(await uow.audit.all(), shootId);
}

export interface HoldChange {
  shoot: string;
  hold: LegalHold | null;
  /** the chain's head after the change (HASH@SEQ) */
  anchor: string;
}

/** `shoot hold SHOOT --reason TEXT`: recorded on the chain, which is where the hold lives. */
export async function setHold(ctx: ServiceContext, shootId: string, reason: string, by: string): Promise<HoldChange> {
  if (reason.trim() === '')
    throw new SitterError(
      'HOLD_REASON_REQUIRED',
      'A legal hold needs a reason.',
      'Say why, e.g. --reason "claim 2026-114, counsel J. Ray"',
    );
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const existing = await currentHold(uow, shootId);
    if (existing) {
      throw new SitterError(
        'HOLD_ALREADY_SET',
        `Shoot "${shootId}" is already under a legal hold since ${existing.since.toISOString()} (${existing.reason}).`,
        `Release it first if it should change: sitter shoot hold ${shootId} --release`,
      );
    }
    const entry = await uow.audit.append(
      { actor: ctx.actor, action: HOLD_SET, shootId, subject: `shoot:${shootId}`, details: { reason, by } },
      ctx.clock.now(),
    );
    return { shoot: shootId, hold: { reason, by, since: entry.at, seq: entry.seq }, anchor: formatAnchor(entry) };
  });
}

export async function releaseHold(ctx: ServiceContext, shootId: string, by: string): Promise<HoldChange> {
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const existing = await currentHold(uow, shootId);
    if (!existing)
      throw new SitterError(
        'NO_HOLD',
        `Shoot "${shootId}" is not under a legal hold.`,
        `See it with: sitter shoot show ${shootId}`,
      );
    const entry = await uow.audit.append(
      {
        actor: ctx.actor,
        action: HOLD_RELEASED,
        shootId,
        subject: `shoot:${shootId}`,
        details: { by, heldSince: existing.since, heldFor: existing.reason },
      },
      ctx.clock.now(),
    );
    return { shoot: shootId, hold: null, anchor: formatAnchor(entry) };
  });
}

export async function showHold(ctx: ServiceContext, shootId: string): Promise<LegalHold | null> {
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    return currentHold(uow, shootId);
  });
}
