import type { Decision, Face } from './records.js';

/**
 * How well the matcher did on one shoot, as its reviewers judged it (issue 13): every proposal is
 * counted by its reviewers' last standing decision, in a band of its distance to the shoot's
 * threshold, so the threshold's real precision on this shoot can be read off; a face the matcher never
 * proposed (below the threshold, ambiguous, taken) that a reviewer named counts as a miss.
 */

/** The width of a band, in the units of the threshold (Euclidean distance; score = 1 - distance). */
export const BAND_WIDTH = 0.05;
/** Bands below the threshold: the last one holds everything closer than the others. */
export const BAND_COUNT = 4;

export type ProposalOutcome = 'confirmed' | 'rejected' | 'reassigned' | 'pending';

export interface OutcomeCounts {
  proposals: number;
  confirmed: number;
  rejected: number;
  /** a reviewer named someone else on the face: a wrong proposal and a miss at once */
  reassigned: number;
  /** no standing decision yet (or a second reviewer still to confirm) */
  pending: number;
  /** confirmed / (confirmed + rejected + reassigned); null while nothing was decided */
  precision: number | null;
}

export interface AccuracyBand extends OutcomeCounts {
  /** e.g. "0.515 < d <= 0.565": distance to the person's nearest template */
  band: string;
  /** the band's distance range, (above, atMost]; above is null for the last band */
  distance: { above: number | null; atMost: number };
  /** the same range as the score the review shows, [atLeast, below) */
  score: { atLeast: number; below: number | null };
}

export interface ShootAccuracy {
  /** the distance threshold the shoot's faces are proposed at */
  threshold: number;
  bandWidth: number;
  bands: AccuracyBand[];
  /** proposals whose score is gone (their link was revoked since), counted apart */
  scoreUnknown: OutcomeCounts;
  total: OutcomeCounts;
  /** faces the matcher never proposed that a reviewer named: misses of the matcher */
  missed: number;
  /** of the faces reviewers named, the share the matcher proposed rightly; null when none were named */
  foundByMatcher: number | null;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function emptyCounts(): OutcomeCounts {
  return { proposals: 0, confirmed: 0, rejected: 0, reassigned: 0, pending: 0, precision: null };
}

function withPrecision(c: OutcomeCounts): OutcomeCounts {
  const decided = c.confirmed + c.rejected + c.reassigned;
  return { ...c, precision: decided > 0 ? round(c.confirmed / decided) : null };
}

/** What the reviewers made of one face: a proposal's outcome, a miss, or nothing to count. */
export type FaceVerdict = { kind: 'proposal'; outcome: ProposalOutcome } | { kind: 'missed' } | { kind: 'none' };

export function faceVerdict(face: Pick<Face, 'state'>, decisions: readonly Decision[]): FaceVerdict {
  const standing = decisions.filter((d) => !d.undoneAt).sort((a, b) => a.id - b.id);
  const first = standing[0];
  const last = standing[standing.length - 1];
  if (!first || !last) return face.state === 'proposed' ? { kind: 'proposal', outcome: 'pending' } : { kind: 'none' };
  if (first.previousState !== 'proposed') return last.action === 'assign' ? { kind: 'missed' } : { kind: 'none' };
  if (last.action === 'reject') return { kind: 'proposal', outcome: 'rejected' };
  if (last.participantId !== first.previousParticipantId) return { kind: 'proposal', outcome: 'reassigned' };
  // two-person review: one reviewer said yes, the second has not yet
  if (face.state === 'proposed') return { kind: 'proposal', outcome: 'pending' };
  return { kind: 'proposal', outcome: 'confirmed' };
}

/** The band a proposal's score falls in: 0 is the one nearest the threshold. */
export function bandOf(score: number, threshold: number): number {
  const below = (threshold - (1 - score)) / BAND_WIDTH;
  return Math.min(BAND_COUNT - 1, Math.max(0, Math.floor(below + 1e-9)));
}

function bandShell(i: number, threshold: number): Omit<AccuracyBand, keyof OutcomeCounts> {
  const atMost = round(threshold - i * BAND_WIDTH);
  const above = i === BAND_COUNT - 1 ? null : round(atMost - BAND_WIDTH);
  return {
    band: above === null ? `d <= ${atMost}` : `${above} < d <= ${atMost}`,
    distance: { above, atMost },
    score: { atLeast: round(1 - atMost), below: above === null ? null : round(1 - above) },
  };
}

/** The faces reviewers named: the proposals they confirmed or gave to someone else, and the matcher's misses. */
export function namedByReviewers(a: Pick<ShootAccuracy, 'total' | 'missed'>): number {
  return a.total.confirmed + a.total.reassigned + a.missed;
}

/** The shoot's accuracy from its faces (with their scores) and every decision on them. */
export function shootAccuracy(
  faces: readonly Pick<Face, 'id' | 'state' | 'score'>[],
  decisions: readonly Decision[],
  threshold: number,
): ShootAccuracy {
  const byFace = new Map<number, Decision[]>();
  for (const d of decisions) byFace.set(d.faceId, [...(byFace.get(d.faceId) ?? []), d]);
  const bands = Array.from({ length: BAND_COUNT }, emptyCounts);
  const unknown = emptyCounts();
  const total = emptyCounts();
  let missed = 0;
  for (const face of faces) {
    const verdict = faceVerdict(face, byFace.get(face.id) ?? []);
    if (verdict.kind === 'missed') missed += 1;
    if (verdict.kind !== 'proposal') continue;
    const into = face.score === null ? unknown : bands[bandOf(face.score, threshold)]!;
    for (const c of [into, total]) {
      c.proposals += 1;
      c[verdict.outcome] += 1;
    }
  }
  const named = namedByReviewers({ total, missed });
  return {
    threshold,
    bandWidth: BAND_WIDTH,
    bands: bands.map((c, i) => ({ ...bandShell(i, threshold), ...withPrecision(c) })),
    scoreUnknown: withPrecision(unknown),
    total: withPrecision(total),
    missed,
    foundByMatcher: named > 0 ? round(total.confirmed / named) : null,
  };
}
