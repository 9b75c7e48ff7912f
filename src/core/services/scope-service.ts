import { SitterError } from '../domain/errors.js';
import { assertOpen, type Shoot } from '../domain/shoot.js';
import { type ShootDates, shootDatesProblems } from '../domain/shoot-dates.js';
import { type ServiceContext, requireShoot } from './context.js';
import { flagsAfterAllowUndated } from '../domain/asset-flags.js';

/**
 * Declares the days of a shoot made before shoots had dates. The dates are part of what an approval
 * signs off, so once a shoot is approved with dates they cannot be moved: a "shoot" is not stretched
 * over an archive afterwards.
 */
export async function declareShootDates(ctx: ServiceContext, shootId: string, dates: ShootDates): Promise<Shoot> {
  const problems = shootDatesProblems(dates);
  if (problems.length > 0) {
    throw new SitterError(
      'SHOOT_DATES_INVALID',
      `Cannot declare the dates of shoot "${shootId}": ${problems.join('; ')}.`,
      'Correct the options and run `sitter shoot dates` again.',
      { problems },
    );
  }
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'changing its dates');
    if (shoot.status === 'approved' && shoot.shootFrom) {
      throw new SitterError(
        'SHOOT_DATES_FIXED',
        `Shoot "${shoot.id}" was approved for ${shoot.shootFrom} to ${shoot.shootTo} (${shoot.utcOffset}): its dates cannot change after approval.`,
        'Photos from other days are another shoot: create one for them (sitter shoot create) and have it approved.',
      );
    }
    const previous = { from: shoot.shootFrom, to: shoot.shootTo, utcOffset: shoot.utcOffset };
    shoot.shootFrom = dates.from;
    shoot.shootTo = dates.to;
    shoot.utcOffset = dates.utcOffset;
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'shoot.dates-declared',
        shootId,
        subject: `shoot:${shootId}`,
        details: { ...dates, previous },
      },
      ctx.clock.now(),
    );
    return shoot;
  });
}

export interface AllowUndatedResult {
  allowed: { asset: string; contentHash: string | null }[];
}

/**
 * A person's decision that photos without a capture time belong to the shoot (they saw them and know
 * they were taken on its days). Recorded on the chain with the reason and each photo's content hash:
 * the allowance holds for that content only, so a replaced file is held again. The next scan
 * processes them.
 */
export async function allowUndated(
  ctx: ServiceContext,
  shootId: string,
  assetRefs: string[] | 'all-held',
  reason: string,
): Promise<AllowUndatedResult> {
  if (!reason.trim()) {
    throw new SitterError(
      'REASON_REQUIRED',
      'Allowing photos without a capture time needs a reason.',
      'Say why they belong to the shoot, e.g. --reason "scanned prints from the shoot day, checked by the photographer"',
    );
  }
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'allowing photos');
    const held = (await uow.assets.listByShoot(shootId)).filter((a) => a.scanState === 'held');
    const byRef = new Map(held.map((a) => [a.connectorAssetId, a]));
    const chosen = assetRefs === 'all-held' ? held : assetRefs.map((ref) => byRef.get(ref) ?? null);
    const missing = assetRefs === 'all-held' ? [] : assetRefs.filter((_, i) => chosen[i] === null);
    if (missing.length > 0) {
      throw new SitterError(
        'ASSET_NOT_HELD',
        `Not held for lack of a capture time in shoot "${shootId}": ${missing.join(', ')}.`,
        `Only photos a scan held as "no-capture-time" can be allowed; see them with \`sitter report ` +
          `${shootId}\`. Photos outside the shoot's dates are never allowed.`,
        { missing },
      );
    }
    const allowed: AllowUndatedResult['allowed'] = [];
    for (const asset of chosen) {
      if (!asset) continue;
      asset.flags = flagsAfterAllowUndated(asset.flags);
      allowed.push({ asset: asset.connectorAssetId, contentHash: asset.contentSha256 });
    }
    if (allowed.length > 0) {
      await uow.audit.append(
        {
          actor: ctx.actor,
          action: 'scope.undated-allowed',
          shootId,
          subject: `shoot:${shootId}`,
          details: { reason: reason.trim(), assets: allowed },
        },
        ctx.clock.now(),
      );
    }
    return { allowed };
  });
}
