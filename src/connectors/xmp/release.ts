/**
 * PLUS model-release fields are per image, the consent facts per person: these fold one into the other.
 * See docs/connectors.md ("XMP mapping").
 */
import type { ModelRelease } from '../../core/ports/connector.js';
import { PLUS_VOCAB } from './namespaces.js';

export type ReleaseStatusCode = 'MR-NON' | 'MR-UMR' | 'MR-LMR';

/**
 * - every pictured person has an unlimited release and nobody else is pictured: MR-UMR;
 * - nobody pictured has any release: MR-NON;
 * - anything in between (limited releases, or faces without a release): MR-LMR ("limited or incomplete").
 * Null when there is no confirmed person: Sitter then says nothing.
 */
export function releaseStatus(statuses: ModelRelease['status'][], otherFaces: number): ReleaseStatusCode | null {
  if (statuses.length === 0) return null;
  if (statuses.every((s) => s === 'unlimited') && otherFaces === 0) return 'MR-UMR';
  if (statuses.every((s) => s === 'none')) return 'MR-NON';
  return 'MR-LMR';
}

/**
 * A minor's PLUS age code: AG-U14 (14 or under), AG-A15..AG-A24, AG-A25 (25 or over), AG-UNK (age
 * unknown). Null for adults: minimisation says an adult's age is not written anywhere.
 */
export function ageCode(release: Pick<ModelRelease, 'minor' | 'ageAtShoot'>): string | null {
  if (!release.minor) return null;
  const age = release.ageAtShoot;
  if (age == null) return 'AG-UNK';
  if (age <= 14) return 'AG-U14';
  if (age >= 25) return 'AG-A25';
  return `AG-A${age}`;
}

function ageRank(code: string): number {
  if (code === 'AG-UNK') return -1; // unknown wins: the youngest may be anyone's age
  if (code === 'AG-U14') return 0;
  return Number(code.slice(4));
}

/** `plus:MinorModelAgeDisclosure` is the youngest model's code; null when no minor is pictured. */
export function youngestAgeCode(codes: (string | null)[]): string | null {
  const known = codes.filter((c): c is string => c !== null);
  if (known.length === 0) return null;
  return known.reduce((a, b) => (ageRank(b) < ageRank(a) ? b : a));
}

export function vocabUri(code: string): string {
  return `${PLUS_VOCAB}${code}`;
}
