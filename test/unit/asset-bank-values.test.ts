/**
 * The text Sitter writes into Asset Bank's mapped attributes (src/connectors/asset-bank/values.ts):
 * whatever a name holds (tabs, line breaks, semicolons, backslashes, any script), it reads back as
 * written, and a partial clear recomputes every attribute from what is left.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clearanceOf,
  formatLedger,
  formatParticipants,
  formatRegions,
  isSitterLedger,
  parseLedger,
  parseParticipants,
  parseRegions,
  valuesFor,
  withoutPersons,
  type Ledger,
  type LedgerEntry,
} from '../../src/connectors/asset-bank/values.js';
import { parseAssetBankDate } from '../../src/connectors/asset-bank/capture-time.js';

const CLEARANCE = { unlimited: 'Cleared', limited: 'Restricted', none: 'Not cleared' };

const entry = fc.record<LedgerEntry>({
  consentUri: fc.stringMatching(/^[a-z0-9-]{1,12}$/).map((p) => `urn:sitter:consent:S42:${p}`),
  name: fc.string({ minLength: 1, unit: 'binary' }),
  releaseId: fc.option(fc.string({ minLength: 1, unit: 'grapheme' }), { nil: null }),
  release: fc.constantFrom('unlimited', 'limited', 'none'),
  minorAge: fc.constantFrom(null, 'AG-U14', 'AG-A17', 'AG-UNK'),
  record: fc.option(
    fc.record({ id: fc.integer({ min: 1, max: 1e9 }), formSha256: fc.stringMatching(/^[0-9a-f]{64}$/) }),
    { nil: null },
  ),
});

const ledger = fc.record<Ledger>({
  otherFaces: fc.integer({ min: 0, max: 50 }),
  entries: fc.uniqueArray(entry, { selector: (e) => e.consentUri, maxLength: 8 }),
});

const sorted = (l: Ledger): Ledger => ({
  ...l,
  entries: [...l.entries].sort((a, b) => (a.consentUri < b.consentUri ? -1 : 1)),
});

describe('asset-bank values', () => {
  it('ledger and participants round-trip any name', () => {
    fc.assert(
      fc.property(ledger, (l) => {
        const text = formatLedger(l);
        expect(isSitterLedger(text)).toBe(true);
        expect(parseLedger(text)).toEqual(sorted(l));
        // Asset Bank may hand text back with CRLF line ends.
        expect(parseLedger(text.replace(/\n/g, '\r\n'))).toEqual(sorted(l));
        const names = l.entries.map((e) => e.name);
        if (names.length > 0) expect(parseParticipants(formatParticipants(names))).toEqual(names);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every ledger line on one line whatever the name holds', () => {
    const text = formatLedger({
      otherFaces: 0,
      entries: [
        {
          consentUri: 'urn:sitter:consent:S42:p-001',
          name: 'Ada\tTest\nsecond line\\',
          releaseId: 'MR;42',
          release: 'unlimited',
          minorAge: null,
          record: null,
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      '#sitter v1 otherFaces=0',
      'urn:sitter:consent:S42:p-001\tAda\\tTest\\nsecond line\\\\\tMR;42\tunlimited\tadult',
    ]);
    expect(formatParticipants(['Ada; Test', 'Ben'])).toBe('Ada\\; Test; Ben');
  });

  it.each([
    ['', null],
    ['Consent refs typed by hand', null],
    ['#sitter v2 otherFaces=0', null],
    ['#sitter v1 otherFaces=x', null],
    ['#sitter v1 otherFaces=0\nurn:sitter:consent:S:p\tA\t\tmaybe\tadult', null],
    ['#sitter v1 otherFaces=0\nurn:sitter:consent:S:p\tA\t\tnone\tchild', null],
    ['#sitter v1 otherFaces=0\nurn:sitter:consent:S:p\tA\t\tnone\tadult\trecord=1:zz', null],
    ['#sitter v1 otherFaces=2', { otherFaces: 2, entries: [] }],
  ])('parses %j as %j', (text, expected) => {
    expect(parseLedger(text)).toEqual(expected);
  });

  it('recognises only its own header as Sitter-owned', () => {
    expect(isSitterLedger('#sitter v1 otherFaces=0')).toBe(true);
    expect(isSitterLedger('#sitter v1 otherFaces=0\r\nurn:x')).toBe(true);
    expect(isSitterLedger('Ada Test')).toBe(false);
    expect(isSitterLedger('#sitterv1')).toBe(false);
  });

  it('writes face regions as stable JSON with 6 decimals, and reads them back', () => {
    const r = {
      image: { w: 6000, h: 4000 },
      regions: [{ consent: 'urn:sitter:consent:S42:p-001', name: 'Ada', x: 0.1, y: 0.2, w: 0.15, h: 0.25 }],
    };
    const text = formatRegions(r);
    expect(text).toBe(
      '{"sitter":1,"frame":"displayed","image":{"w":6000,"h":4000},"regions":[{"consent":"urn:sitter:consent:S42:p-001","name":"Ada","x":0.1,"y":0.2,"w":0.15,"h":0.25}]}',
    );
    expect(parseRegions(text)).toEqual(r);
    expect(parseRegions('not json')).toBeNull();
    expect(parseRegions('{"sitter":1,"image":{"w":1,"h":1},"regions":[{"consent":1}]}')).toBeNull();
  });

  it.each([
    [['unlimited', 'unlimited'], 0, 'unlimited'],
    [['unlimited'], 1, 'limited'],
    [['unlimited', 'limited'], 0, 'limited'],
    [['none', 'none'], 0, 'none'],
    [['none', 'unlimited'], 0, 'limited'],
    [[], 3, null],
  ] as const)('clearance of %j with %i other faces is %s', (statuses, otherFaces, expected) => {
    const l: Ledger = {
      otherFaces,
      entries: statuses.map((release, i) => ({
        consentUri: `urn:sitter:consent:S:p-${i}`,
        name: `P${i}`,
        releaseId: null,
        release,
        minorAge: null,
        record: null,
      })),
    };
    expect(clearanceOf(l)).toBe(expected);
  });

  it('a partial clear drops the persons and recomputes the rest; their faces count as other faces', () => {
    const l: Ledger = {
      otherFaces: 0,
      entries: ['a', 'b'].map((p) => ({
        consentUri: `urn:sitter:consent:S:${p}`,
        name: p.toUpperCase(),
        releaseId: null,
        release: 'unlimited' as const,
        minorAge: null,
        record: null,
      })),
    };
    const regions = {
      image: { w: 10, h: 10 },
      regions: l.entries.map((e) => ({ consent: e.consentUri, name: e.name, x: 0, y: 0, w: 0.1, h: 0.1 })),
    };
    const before = valuesFor(l, regions, CLEARANCE);
    expect(before.participants).toBe('A; B');
    expect(before.usageClearance).toBe('Cleared');
    const left = withoutPersons(l, regions, new Set(['urn:sitter:consent:S:a']));
    const after = valuesFor(left.ledger, left.regions, CLEARANCE);
    expect(after.participants).toBe('B');
    expect(after.usageClearance).toBe('Restricted');
    expect(parseRegions(after.faceRegions)!.regions.map((g) => g.name)).toEqual(['B']);
    const none = withoutPersons(left.ledger, left.regions, new Set(['urn:sitter:consent:S:b']));
    expect(valuesFor(none.ledger, none.regions, CLEARANCE)).toEqual({
      consentRefs: '',
      participants: '',
      faceRegions: '',
      usageClearance: '',
    });
  });
});

describe('asset-bank capture date', () => {
  it.each([
    ['17/03/2011 16:05:02', '+01:00', { local: '2011-03-17T16:05:02', offset: '+01:00' }],
    ['01/06/2026 10:00', null, { local: '2026-06-01T10:00:00', offset: null }],
    ['2026-06-01T10:00:00', null, null],
    ['', null, null],
  ])('reads %j (offset %s)', (text, offset, expected) => {
    expect(parseAssetBankDate(text, offset)).toEqual(expected);
  });
});
