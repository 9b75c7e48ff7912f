/**
 * Property-based tests of the XMP writer (issue 10's campaign, fast-check): for any name and any box,
 * in a new sidecar or merged into another tool's, ExifTool reads back exactly what was written and
 * `-validate` says OK. Characters XML cannot carry are the one exception, and they read back as U+FFFD.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exiftool } from 'exiftool-vendored';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushPayload, PushPerson } from '../../src/core/ports/connector.js';
import { consentUri } from '../../src/connectors/payload.js';
import { pushXmp } from '../../src/connectors/xmp/sitter-xmp.js';
import { tempDir } from '../contract/fixtures.js';

type Raw = Record<string, unknown>;
interface Area {
  X: number;
  Y: number;
  W: number;
  H: number;
}

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/xmp');
/** Runs per property: each is one ExifTool read of a real file. Raise locally to search harder. */
const RUNS = Number(process.env.SITTER_PROPERTY_RUNS ?? 40);
/** Coordinates are written with 6 decimals (geometry.ts `fmt`). */
const PRECISION = 5e-7;

let root: string;
let cleanup: () => Promise<void>;
let n = 0;

/** Names: any Unicode, weighted towards what breaks XML writers and readers. */
const hostile = fc.constantFrom(
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  '<![CDATA[',
  '&amp;',
  '\t',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\u00a0',
  '\u202e',
  '\u0000',
  '\u0001',
  '\u001b[2J',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udc00',
  '😀',
  'Zoë',
  'اسم',
  '名前',
);
const nameArb = fc
  .array(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 6 })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''))
  .filter((s) => s.trim() !== '');

/** Any box inside the image (relative, top-left based, possibly degenerate). */
const boxArb = fc
  .record({
    x: fc.double({ min: 0, max: 1, noNaN: true }),
    y: fc.double({ min: 0, max: 1, noNaN: true }),
    fw: fc.double({ min: 0, max: 1, noNaN: true }),
    fh: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ x, y, fw, fh }) => ({ x, y, w: (1 - x) * fw, h: (1 - y) * fh }));

/** What a reader should see for a name: XML 1.0 cannot carry some characters, they become U+FFFD. */
function readable(name: string): string {
  return name.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

function person(displayName: string, box: PushPerson['box']): PushPerson {
  return {
    participantId: 'p-1',
    displayName,
    consentUri: consentUri('prop', 'p-1'),
    box,
    release: { id: null, status: 'unlimited', minor: false },
  };
}

function payload(p: PushPerson): PushPayload {
  // The XMP writer is called directly: the content-hash check belongs to the connector, not here.
  return {
    assetId: 'a.jpg',
    expectedContentHash: `sha256:${'0'.repeat(64)}`,
    image: { width: 6000, height: 4000 },
    persons: [p],
    otherFaces: 0,
  };
}

async function writeAndRead(text: string): Promise<{ tags: Raw; validate: unknown; warning: unknown }> {
  const file = path.join(root, `case-${n++}.xmp`);
  await writeFile(file, text);
  const tags = (await exiftool.readRaw(file, ['-struct', '-n', '-XMP:all'])) as Raw;
  const v = (await exiftool.readRaw(file, ['-validate', '-warning', '-a'])) as Raw;
  return { tags, validate: v.Validate, warning: v.Warning };
}

function expectBox(area: Area, box: PushPerson['box']): void {
  expect(Math.abs(area.X - (box.x + box.w / 2))).toBeLessThanOrEqual(PRECISION * 2);
  expect(Math.abs(area.Y - (box.y + box.h / 2))).toBeLessThanOrEqual(PRECISION * 2);
  expect(Math.abs(area.W - box.w)).toBeLessThanOrEqual(PRECISION * 2);
  expect(Math.abs(area.H - box.h)).toBeLessThanOrEqual(PRECISION * 2);
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('sitter-xmp-prop-'));
});

afterAll(async () => {
  await exiftool.end();
  await cleanup();
});

describe('XMP writer, any name and any box (fast-check, read back by ExifTool)', () => {
  it('a new sidecar validates and carries the name and the box exactly', async () => {
    await fc.assert(
      fc.asyncProperty(nameArb, boxArb, async (name, box) => {
        const text = pushXmp(null, payload(person(name, box)), 'property');
        if (text === null) throw new Error('a push with a person must write a sidecar');
        const { tags, validate, warning } = await writeAndRead(text);
        expect(validate, JSON.stringify(warning)).toBe('OK');
        expect(tags.PersonInImage).toEqual([readable(name)]);
        const region = (tags.RegionInfo as { RegionList: Array<{ Name: string; Area: Area }> }).RegionList[0];
        expect(region?.Name).toBe(readable(name));
        if (region) expectBox(region.Area, box);
        const iptc = (
          tags.ImageRegion as Array<{
            Name: string;
            RegionBoundary: { RbX: number; RbY: number; RbW: number; RbH: number };
          }>
        )[0];
        expect(iptc?.Name).toBe(readable(name));
        expect(Math.abs((iptc?.RegionBoundary.RbX ?? -1) - box.x)).toBeLessThanOrEqual(PRECISION);
        expect(Math.abs((iptc?.RegionBoundary.RbH ?? -1) - box.h)).toBeLessThanOrEqual(PRECISION);
      }),
      { numRuns: RUNS },
    );
  });

  it("merged into another tool's sidecar, its tags stay and ours read back; pushing again changes no byte", async () => {
    const digikam = await readFile(path.join(FIXTURES, 'digikam-cdata.xmp'), 'utf8');
    const { tags: before } = await writeAndRead(digikam);
    await fc.assert(
      fc.asyncProperty(nameArb, boxArb, async (name, box) => {
        const p = payload(person(name, box));
        const text = pushXmp(digikam, p, 'property');
        if (text === null) throw new Error('a push with a person must write a sidecar');
        expect(pushXmp(text, p, 'property')).toBe(text);
        const { tags, validate, warning } = await writeAndRead(text);
        expect(validate, JSON.stringify(warning)).toBe('OK');
        for (const key of ['Subject', 'TagsList', 'HierarchicalSubject', 'Description', 'Categories', 'Rating'])
          expect(tags[key], key).toEqual(before[key]);
        expect(tags.PersonInImage).toEqual([readable(name)]);
        const list = (tags.RegionInfo as { RegionList: Array<{ Name: string; Area: Area }> }).RegionList;
        expect(list.map((r) => r.Name)).toEqual(['Carol Other', readable(name)]);
        const ours = list[1];
        if (ours) expectBox(ours.Area, box);
      }),
      { numRuns: RUNS },
    );
  });
});
