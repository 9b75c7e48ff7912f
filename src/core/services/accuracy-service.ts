import { shootAccuracy, type ShootAccuracy } from '../domain/match-accuracy.js';
import { effectiveThreshold, type EffectiveThreshold } from '../domain/match-limits.js';
import type { MatchThresholds } from '../domain/matching.js';
import { type ServiceContext, requireShoot } from './context.js';

export type AccuracyReport = Omit<ShootAccuracy, 'threshold'> & { threshold: EffectiveThreshold };

/**
 * The matcher's accuracy on one shoot as its reviewers judged it (domain/match-accuracy.ts), at the
 * threshold the shoot's scans proposed with. `calibration` is the engine's, for shoots that set none.
 */
export async function shootAccuracyReport(
  ctx: ServiceContext,
  shootId: string,
  calibration: MatchThresholds,
): Promise<AccuracyReport> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const [faces, decisions] = await Promise.all([
      uow.faces.listByShootWithoutEmbeddings(shootId),
      uow.decisions.listByShoot(shootId),
    ]);
    const threshold = effectiveThreshold(shoot, calibration);
    return { ...shootAccuracy(faces, decisions, threshold.value), threshold };
  });
}
