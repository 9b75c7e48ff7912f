import type { AccuracyReport } from '../../core/services/accuracy-service.js';
import { namedByReviewers, type OutcomeCounts } from '../../core/domain/match-accuracy.js';

/** The accuracy table's header and rows, shared by `report` (text) and `dpia` (Markdown). */
export const ACCURACY_HEADERS = [
  'distance band',
  'score',
  'proposals',
  'confirmed',
  'rejected',
  'reassigned',
  'pending',
  'precision',
];

function counts(c: OutcomeCounts): (string | number)[] {
  return [c.proposals, c.confirmed, c.rejected, c.reassigned, c.pending, c.precision ?? '-'];
}

export function accuracyRows(a: AccuracyReport): (string | number)[][] {
  return [
    ...a.bands.map((b) => [
      b.band,
      b.score.below === null ? `>= ${b.score.atLeast}` : `${b.score.atLeast}-${b.score.below}`,
      ...counts(b),
    ]),
    ...(a.scoreUnknown.proposals > 0 ? [['score gone (link revoked since)', '-', ...counts(a.scoreUnknown)]] : []),
    ['all proposals', '-', ...counts(a.total)],
  ];
}

export function thresholdLabel(a: Pick<AccuracyReport, 'threshold'>): string {
  return `${a.threshold.value} (${a.threshold.source === 'shoot' ? "the shoot's own, set at creation" : 'the model calibration'})`;
}

/** "100% (3 of 3)": the share as a person reads it, with the counts it comes from; "-" when nobody was named. */
function foundByMatcherText(a: AccuracyReport): string {
  if (a.foundByMatcher === null) return '-';
  return `${Math.round(a.foundByMatcher * 100)}% (${a.total.confirmed} of ${namedByReviewers(a)})`;
}

/** The lines under the table: what the figures mean and what the matcher missed. */
export function accuracyNotes(a: AccuracyReport): string[] {
  return [
    `Missed by the matcher (found but never proposed, then named by a reviewer): ${a.missed}.`,
    `Of the faces reviewers named, the matcher proposed rightly: ${foundByMatcherText(a)}.`,
    "Each proposal counts by its reviewers' last standing decision; bands are the distance to the " +
      `person's nearest template, ${a.bandWidth} wide below the threshold (score = 1 - distance).`,
  ];
}
