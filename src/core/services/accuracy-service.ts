import { shootAccuracy, type ShootAccuracy } from '../domain/match-accuracy.js';
import { effectiveThreshold, type EffectiveThreshold } from '../domain/match-limits.js';
import type { MatchThresholds } from '../domain/matching.js';
import type { Decision, Face } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
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
    return accuracyOf(shoot, faces, decisions, calibration);
  });
}

/** The same from facts already loaded (the DPIA annex reads them in its own unit of work). */
export function accuracyOf(
  shoot: Shoot,
  faces: readonly Pick<Face, 'id' | 'state' | 'score'>[],
  decisions: readonly Decision[],
  calibration: MatchThresholds,
): AccuracyReport {
  const threshold = effectiveThreshold(shoot, calibration);
  return { ...shootAccuracy(faces, decisions, threshold.value), threshold };
}
