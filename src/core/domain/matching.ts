import { assignMinCost } from './assignment.js';
import type { NoMatchReason } from './records.js';

/**
 * Matching the faces of one image against the shoot's templates. Only templates of eligible
 * participants (rule 3) and of the same model ever reach this function; it decides which face, if
 * any, is proposed for which participant.
 */

export interface MatchThresholds {
  /** largest Euclidean distance that may be proposed */
  threshold: number;
  /** the runner-up participant must be at least this much further than the proposed one */
  margin: number;
}

export interface ParticipantTemplates {
  participantId: number;
  embeddings: Float32Array[];
}

export type FaceVerdict =
  | { kind: 'proposed'; participantId: number; distance: number; margin: number; score: number }
  /** nobody close enough, or too close to two people to tell: never named (rule 4) */
  | {
      kind: 'unidentified';
      reason: NoMatchReason;
      nearestDistance: number | null;
    };

export function euclidean(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** A face's distance to a participant: the nearest of their templates. */
export function participantDistance(face: Float32Array, templates: ParticipantTemplates): number {
  let best = Infinity;
  for (const t of templates.embeddings) best = Math.min(best, euclidean(face, t));
  return best;
}

/** Similarity shown to reviewers (higher is more alike, 0..1): 1 - distance, clamped. */
export function similarityScore(distance: number): number {
  return Math.max(0, Math.min(1, 1 - distance));
}

/**
 * Matches all faces of one image at once. Each participant is proposed for at most one face, chosen
 * by a minimum-total-distance assignment among pairs within the threshold; `excluded(face, participant)`
 * removes pairs a reviewer rejected. A face whose runner-up is within the margin is ambiguous.
 * `limits` is one threshold and margin for every face, or each face's own (`faceLimits` in
 * quality-bands.ts: its quality band's, or null below the quality floor: never proposed, `low-quality`).
 */
export function matchImage(
  faces: readonly Float32Array[],
  roster: readonly ParticipantTemplates[],
  limits: MatchThresholds | readonly (MatchThresholds | null)[],
  excluded: (faceIndex: number, participantId: number) => boolean = () => false,
): FaceVerdict[] {
  const limitsOf = (i: number): MatchThresholds | null => {
    if (!Array.isArray(limits)) return limits as MatchThresholds;
    return (limits as readonly (MatchThresholds | null)[])[i] ?? null;
  };
  const distances = faces.map((f) => roster.map((p) => participantDistance(f, p)));
  const cost = distances.map((row, i) => {
    const own = limitsOf(i);
    return row.map((d, j) => (own && d <= own.threshold && !excluded(i, roster[j]!.participantId) ? d : Infinity));
  });
  const assigned = assignMinCost(cost);
  return faces.map((_, i) => {
    const row = distances[i] ?? [];
    const nearest = row.length ? Math.min(...row) : null;
    const own = limitsOf(i);
    if (!own) return { kind: 'unidentified', reason: 'low-quality', nearestDistance: nearest };
    const j = assigned[i] ?? -1;
    if (j < 0) {
      const anyWithin = cost[i]?.some(Number.isFinite) ?? false;
      return { kind: 'unidentified', reason: anyWithin ? 'taken' : 'no-match', nearestDistance: nearest };
    }
    const distance = row[j]!;
    // The runner-up is the nearest other participant, rejected ones included: a reviewer's "no" does
    // not make the remaining candidate any more certain.
    const runnerUp = row.reduce((best, d, k) => (k === j ? best : Math.min(best, d)), Infinity);
    const margin = Number.isFinite(runnerUp) ? runnerUp - distance : Infinity;
    if (margin < own.margin) return { kind: 'unidentified', reason: 'ambiguous', nearestDistance: distance };
    return {
      kind: 'proposed',
      participantId: roster[j]!.participantId,
      distance,
      margin,
      score: similarityScore(distance),
    };
  });
}
