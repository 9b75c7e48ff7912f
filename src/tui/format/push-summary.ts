import type { BroughtUpToDate, DamUpdateReason } from '../../core/services/push-selection.js';

/** Why an asset's metadata was out of date, in words (the codes are `broughtUpToDate.why` in --json). */
const REASON_TEXT: Record<DamUpdateReason, string> = {
  'first-push': 'first push',
  rescanned: 'rescanned',
  'review-decision': 'review decision',
  'consent-renewed': 'new consent version',
  'consent-signed': 'consent signed',
  'consent-expired': 'consent expired',
  'consent-withdrawn': 'consent withdrawn',
  'dam-differed': 'the DAM said something else',
};

/** "Brought up to date: 3 assets (consent expired: 2, review decision: 1)." */
export function broughtUpToDateLine(b: BroughtUpToDate): string {
  if (b.assets === 0) return 'Brought up to date: none; the DAM already said what the record says.';
  const why = (Object.entries(b.why) as [DamUpdateReason, number][])
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([r, n]) => `${REASON_TEXT[r]}: ${n}`)
    .join(', ');
  return `Brought up to date: ${b.assets} asset${b.assets === 1 ? '' : 's'} (${why}).`;
}
