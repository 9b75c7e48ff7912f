import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConsentFile } from '../../src/core/consent/index.js';
import { SitterError } from '../../src/core/domain/errors.js';
import { consentFileAccessFor, readConsentFile } from '../../src/core/store/files/consent-files.js';
import { runSitter } from '../helpers/cli.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { tempDir } from '../helpers/workspace.js';

const HEADER =
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes';

/** Cells an archivist's spreadsheet could hold, hostile ones included, next to valid values. */
const cell = fc.oneof(
  fc.constantFrom(
    'P-1',
    'Ann',
    'yes',
    'no',
    '2026-01-10',
    '2026-13-45',
    '',
    'forms/P1.pdf',
    'photos/P1.png',
    '../../etc/passwd',
    '/etc/passwd',
    'web;print',
    '"',
    '""',
    '\r\n',
    '\u202e',
    '\u001b]0;x\u0007',
    '=cmd|calc',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);
const csvText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc
    .array(
      fc.array(cell, { minLength: 0, maxLength: 14 }).map((cells) => cells.join(',')),
      { maxLength: 12 },
    )
    .map((rows) => [HEADER, ...rows].join(fc.sample(fc.constantFrom('\n', '\r\n'), 1)[0])),
);
const jsonText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .array(fc.dictionary(fc.constantFrom(...HEADER.split(','), 'extra'), fc.oneof(cell, fc.jsonValue())), {
      maxLength: 8,
    })
    .map((rows) => JSON.stringify(rows)),
);

/**
 * Hostile consent files (fast-check): whatever the bytes, reading and parsing a consent file — as
 * `consent import` does — gives a valid import or a SitterError with a code and a hint, never another
 * exception (which the CLI would report as a bug, exit 70).
 */
describe('hostile consent files (property-based)', () => {
  const tmp = tempDir('sitter-consent-prop-');
  const folder = join(tmp.dir, 'consent');
  beforeAll(async () => {
    writeConsentFolder(folder, [{ id: 'P1', name: 'Ann', consent: 'yes', photo: await pngBytes(1) }]);
  });
  afterAll(() => tmp.cleanup());

  async function importOutcome(text: string, ext: 'csv' | 'json'): Promise<'imported' | 'refused'> {
    const file = join(folder, `input.${ext}`);
    writeFileSync(file, text);
    try {
      await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file));
      return 'imported';
    } catch (e) {
      expect(e, String(e)).toBeInstanceOf(SitterError);
      expect((e as SitterError).hint).toBeTruthy();
      return 'refused';
    }
  }

  it('any CSV: a valid import or a clear refusal', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => void (await importOutcome(text, 'csv'))),
      { numRuns: 300, seed: 10 },
    );
  });

  it('any JSON: a valid import or a clear refusal', async () => {
    await fc.assert(
      fc.asyncProperty(jsonText, async (text) => void (await importOutcome(text, 'json'))),
      { numRuns: 300, seed: 11 },
    );
  });

  it('JSON nested 100,000 levels deep is refused cleanly', async () => {
    expect(await importOutcome(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'json')).toBe('refused');
  });

  it('through the real CLI, random files never make consent import exit 70', async () => {
    const ws = join(tmp.dir, 'ws');
    const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args]);
    expect((await sitter('init')).code).toBe(0);
    const created = await sitter(
      'shoot',
      'create',
      's',
      '--name',
      's',
      '--source',
      folder,
      '--purpose',
      'p',
      '--retention-days',
      '30',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-02',
    );
    expect(created.code, created.stdout).toBe(0);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvText.map((t) => ['csv', t] as const),
          jsonText.map((t) => ['json', t] as const),
        ),
        async ([ext, text]) => {
          const file = join(folder, `cli.${ext}`);
          writeFileSync(file, text);
          const r = await sitter('consent', 'import', 's', file);
          expect(r.code, r.stdout + r.stderr).not.toBe(70);
          expect([0, 1]).toContain(r.code);
        },
      ),
      { numRuns: 6, seed: 12 },
    );
  }, 120_000);
});
