/** The pure parts of the XMP mapping: consent URIs, PLUS aggregation, number formatting. */
import { describe, expect, it } from 'vitest';
import { consentUri, isSitterConsentUri, parseConsentUri } from '../../src/connectors/payload.js';
import { fmt } from '../../src/connectors/xmp/geometry.js';
import { ageCode, releaseStatus, youngestAgeCode } from '../../src/connectors/xmp/release.js';

describe('consent URIs', () => {
  it('round-trip ids with colons, spaces and non-ASCII', () => {
    const uri = consentUri('shoot:42', 'Zoë O’Brien/1');
    expect(uri.startsWith('urn:sitter:consent:')).toBe(true);
    expect(uri.split(':')).toHaveLength(5);
    expect(parseConsentUri(uri)).toEqual({ shootId: 'shoot:42', participantId: 'Zoë O’Brien/1' });
  });

  it('are told apart from other URIs', () => {
    expect(isSitterConsentUri('urn:consent:shoot-42:p-001')).toBe(false);
    expect(isSitterConsentUri('urn:sitter:consent:only-one-part')).toBe(false);
    expect(isSitterConsentUri(consentUri('s', 'p'))).toBe(true);
  });
});

describe('PLUS model release status', () => {
  it('is unlimited only when everyone pictured has an unlimited release', () => {
    expect(releaseStatus(['unlimited', 'unlimited'], 0)).toBe('MR-UMR');
    expect(releaseStatus(['unlimited'], 1)).toBe('MR-LMR');
    expect(releaseStatus(['unlimited', 'limited'], 0)).toBe('MR-LMR');
    expect(releaseStatus(['none', 'none'], 0)).toBe('MR-NON');
    expect(releaseStatus(['none', 'unlimited'], 0)).toBe('MR-LMR');
    expect(releaseStatus([], 3)).toBeNull();
  });
});

describe('PLUS minor age disclosure', () => {
  it('is written for minors only, as the youngest code', () => {
    expect(ageCode({ minor: false, ageAtShoot: 40 })).toBeNull();
    expect(ageCode({ minor: true, ageAtShoot: null })).toBe('AG-UNK');
    expect(ageCode({ minor: true, ageAtShoot: 9 })).toBe('AG-U14');
    expect(ageCode({ minor: true, ageAtShoot: 16 })).toBe('AG-A16');
    expect(youngestAgeCode([null, 'AG-A17', 'AG-A15'])).toBe('AG-A15');
    expect(youngestAgeCode(['AG-A17', 'AG-U14'])).toBe('AG-U14');
    expect(youngestAgeCode(['AG-U14', 'AG-UNK'])).toBe('AG-UNK');
    expect(youngestAgeCode([null, null])).toBeNull();
  });
});

describe('relative numbers', () => {
  it('are short, deterministic and clamped', () => {
    expect(fmt(0.175)).toBe('0.175');
    expect(fmt(1 / 3)).toBe('0.333333');
    expect(fmt(0)).toBe('0');
    expect(fmt(1)).toBe('1');
    expect(fmt(-0.0000001)).toBe('0');
    expect(fmt(1.2)).toBe('1');
  });
});
