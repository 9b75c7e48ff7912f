import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConsentFile, type ConsentProblem } from '../../src/core/consent/index.js';
import { SitterError } from '../../src/core/domain/errors.js';
import { consentStatus } from '../../src/core/domain/consent.js';
import type { ConsentFileAccess, ResolveFailure, ResolveResult } from '../../src/core/ports/consent-files.js';

const ROOT = '/shoots/spring';
const SHA = {
  f1: '1'.repeat(64),
  f2: '2'.repeat(64),
  f3: '3'.repeat(64),
  p1: 'a'.repeat(64),
  p2: 'b'.repeat(64),
  p3: 'c'.repeat(64),
};

/** An in-memory ConsentFileAccess: files by relative path, and paths that fail for a given reason. */
function fakeFiles(
  extra: Record<string, string> = {},
  failing: Record<string, ResolveFailure> = {},
): ConsentFileAccess & { resolved: string[] } {
  const files: Record<string, string> = {
    'forms/p1.pdf': SHA.f1,
    'forms/p2.pdf': SHA.f2,
    'forms/p3.pdf': SHA.f3,
    'photos/p1.jpg': SHA.p1,
    'photos/p2.jpg': SHA.p2,
    'photos/p3.jpg': SHA.p3,
    ...extra,
  };
  const resolved: string[] = [];
  return {
    root: ROOT,
    resolved,
    resolveInside(rel: string): Promise<ResolveResult> {
      resolved.push(rel);
      const reason = failing[rel];
      if (reason) return Promise.resolve({ ok: false, reason });
      if (files[rel] === undefined) return Promise.resolve({ ok: false, reason: 'missing' });
      return Promise.resolve({ ok: true, absolutePath: `${ROOT}/${rel}` });
    },
    sha256(absolutePath: string): Promise<string> {
      const sha = files[absolutePath.slice(ROOT.length + 1)];
      return sha ? Promise.resolve(sha) : Promise.reject(new Error(`no such fake file ${absolutePath}`));
    },
  };
}

const HEADER =
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes';
const P1 = `P-001,Ann Smith,yes,2026-03-01,2027-03-01,,forms/p1.pdf,${SHA.f1},photos/p1.jpg,no,,web;print`;
const P2 = `P-002,Bo Chen,no,2026-03-01T10:00:00+01:00,,,forms/p2.pdf,${SHA.f2},,no,,`;
const P3 = `P-003,Cleo Diaz,yes,2026-03-02T09:30:00Z,,,forms/p3.pdf,${SHA.f3},photos/p3.jpg,yes,Dana Diaz,web`;

const csv = (...lines: string[]): string => lines.join('\n') + '\n';

function parse(text: string, format: 'csv' | 'json' = 'csv', files: ConsentFileAccess = fakeFiles()) {
  return parseConsentFile({ text, format, fileName: format === 'csv' ? 'consent.csv' : 'consent.json' }, files);
}

/** The file must be refused as a whole; returns every reported problem. */
async function problemsOf(
  text: string,
  format: 'csv' | 'json' = 'csv',
  files: ConsentFileAccess = fakeFiles(),
): Promise<ConsentProblem[]> {
  const p = parse(text, format, files);
  await expect(p).rejects.toBeInstanceOf(SitterError);
  await expect(p).rejects.toMatchObject({ code: 'CONSENT_FILE_INVALID' });
  const e = (await p.catch((x: unknown) => x)) as SitterError;
  return e.details as ConsentProblem[];
}

describe('parseConsentFile: a good CSV', () => {
  it('reads every column into typed rows', async () => {
    const text = csv(HEADER, P1, P2, P3);
    const result = await parse(text);
    expect(result.format).toBe('csv');
    expect(result.fileName).toBe('consent.csv');
    expect(result.fileSha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(result.rows).toEqual([
      {
        line: 2,
        participantId: 'P-001',
        name: 'Ann Smith',
        biometricConsent: true,
        signedAt: new Date('2026-03-01T00:00:00Z'),
        expiresAt: new Date('2027-03-01T00:00:00Z'),
        withdrawnAt: null,
        formRef: `${ROOT}/forms/p1.pdf`,
        formRefRelative: 'forms/p1.pdf',
        formSha256: SHA.f1,
        referencePhoto: `${ROOT}/photos/p1.jpg`,
        referencePhotoRelative: 'photos/p1.jpg',
        referencePhotoSha256: SHA.p1,
        minor: false,
        guardian: null,
        publicationScopes: ['web', 'print'],
      },
      {
        line: 3,
        participantId: 'P-002',
        name: 'Bo Chen',
        biometricConsent: false,
        signedAt: new Date('2026-03-01T09:00:00Z'),
        expiresAt: null,
        withdrawnAt: null,
        formRef: `${ROOT}/forms/p2.pdf`,
        formRefRelative: 'forms/p2.pdf',
        formSha256: SHA.f2,
        referencePhoto: null,
        referencePhotoRelative: null,
        referencePhotoSha256: null,
        minor: false,
        guardian: null,
        publicationScopes: [],
      },
      {
        line: 4,
        participantId: 'P-003',
        name: 'Cleo Diaz',
        biometricConsent: true,
        signedAt: new Date('2026-03-02T09:30:00Z'),
        expiresAt: null,
        withdrawnAt: null,
        formRef: `${ROOT}/forms/p3.pdf`,
        formRefRelative: 'forms/p3.pdf',
        formSha256: SHA.f3,
        referencePhoto: `${ROOT}/photos/p3.jpg`,
        referencePhotoRelative: 'photos/p3.jpg',
        referencePhotoSha256: SHA.p3,
        minor: true,
        guardian: 'Dana Diaz',
        publicationScopes: ['web'],
      },
    ]);
  });

  it('makes "photos yes, biometrics no" a valid record that is never eligible', async () => {
    const { rows } = await parse(csv(HEADER, P2));
    const [row] = rows;
    expect(row?.biometricConsent).toBe(false);
    expect(row?.referencePhoto).toBeNull();
    expect(row && consentStatus(row, new Date('2026-06-01T00:00:00Z'))).toBe('photos-only');
  });

  it('handles a BOM, CRLF line ends, quotes, escaped quotes and a value spanning lines', async () => {
    const text =
      '\uFEFF' +
      [
        HEADER,
        `P-001,"Smith, ""Ann""\r\n  Jr",yes,2026-03-01,,,"forms/p1.pdf",${SHA.f1},photos/p1.jpg,NO,,"web; print"`,
        P2,
      ].join('\r\n') +
      '\r\n';
    const { rows } = await parse(text);
    expect(rows.map((r) => [r.line, r.participantId, r.name, r.minor, r.publicationScopes])).toEqual([
      [2, 'P-001', 'Smith, "Ann" Jr', false, ['web', 'print']],
      [4, 'P-002', 'Bo Chen', false, []],
    ]);
  });

  it('reports the right line after a record that spans lines, with CRLF and with LF', async () => {
    for (const eol of ['\r\n', '\n']) {
      const multi = `P-001,"Ann${eol}Smith${eol}the third",yes,2026-03-01,,,forms/p1.pdf,${SHA.f1},photos/p1.jpg,no,,`;
      const bad = `P-002,Bo Chen,maybe,2026-03-01,,,forms/p2.pdf,${SHA.f2},,no,,`;
      expect(await problemsOf([HEADER, multi, bad].join(eol) + eol)).toEqual([
        { line: 5, column: 'biometric_consent', problem: 'unknown consent value "maybe" (use yes or no)' },
      ]);
    }
  });

  it('reads a file without a final line break, with blank lines and rows of empty cells', async () => {
    const { rows } = await parse([HEADER, '', P1, ',,,,,,,,,,,', '', P2].join('\n'));
    expect(rows.map((r) => [r.line, r.participantId])).toEqual([
      [3, 'P-001'],
      [6, 'P-002'],
    ]);
  });

  it('accepts a header in any case and without the optional publication_scopes column', async () => {
    const header = HEADER.toUpperCase().replace(',PUBLICATION_SCOPES', '');
    const row = P1.replace(/,web;print$/, '');
    const { rows } = await parse(csv(header, row));
    expect(rows[0]?.publicationScopes).toEqual([]);
  });

  it('reads a semicolon-separated file (as European spreadsheets save CSV)', async () => {
    const semi = (line: string): string => line.replace(/,/g, ';').replace('web;print', '"web;print"');
    const { rows } = await parse(csv(semi(HEADER), semi(P1)));
    expect(rows[0]?.publicationScopes).toEqual(['web', 'print']);
  });

  it('accepts the yes/no spellings and normalises sha256 and scopes', async () => {
    const row = `p9,Zoe,TRUE,2026-03-01,,,forms/p1.pdf,${SHA.f1.toUpperCase()},photos/p1.jpg,0,,Web;web;PRINT`;
    const { rows } = await parse(csv(HEADER, row));
    expect(rows[0]).toMatchObject({
      biometricConsent: true,
      minor: false,
      formSha256: SHA.f1,
      publicationScopes: ['web', 'print'],
    });
  });

  it('lets an adult have a guardian (guardianship)', async () => {
    const { rows } = await parse(csv(HEADER, P1.replace(',no,,', ',no,Erik Smith,')));
    expect(rows[0]).toMatchObject({ minor: false, guardian: 'Erik Smith' });
  });
});

describe('parseConsentFile: withdrawal by re-import', () => {
  it('keeps a withdrawn record without reading its reference photo (which may be deleted)', async () => {
    const withdrawn = `P-001,Ann Smith,yes,2026-03-01,,2026-05-01T12:00:00Z,forms/p1.pdf,${SHA.f1},photos/deleted.jpg,no,,`;
    const files = fakeFiles();
    const { rows } = await parse(csv(HEADER, withdrawn), 'csv', files);
    expect(rows[0]).toMatchObject({
      withdrawnAt: new Date('2026-05-01T12:00:00Z'),
      referencePhoto: null,
      referencePhotoSha256: null,
    });
    expect(files.resolved).toEqual(['forms/p1.pdf']);
    expect(rows[0] && consentStatus(rows[0], new Date('2026-06-01T00:00:00Z'))).toBe('withdrawn');
  });
});

describe('parseConsentFile: a bad CSV is refused whole, every problem listed', () => {
  it('lists every problem of every row by line and column, in order', async () => {
    const text = csv(
      HEADER,
      P1,
      `P-002,Bo Chen,maybe,03/01/2026,,,forms/p2.pdf,${SHA.f2},,no,,`, // 3
      `p-001,,yes,2026-03-01,2025-01-01,,../forms/p1.pdf,xyz,,yes,,we b`, // 4
      `P-004,Dee,no,2026-03-01T10:00,2026-02-30,,/etc/passwd,${SHA.f1},C:\\photos\\p.jpg,perhaps,,`, // 5
    );
    expect(await problemsOf(text)).toEqual([
      { line: 3, column: 'biometric_consent', problem: 'unknown consent value "maybe" (use yes or no)' },
      {
        line: 3,
        column: 'signed_at',
        problem: 'not an ISO 8601 date: "03/01/2026" (use 2026-03-01 or 2026-03-01T14:30:00+01:00)',
      },
      { line: 4, column: 'participant_id', problem: 'duplicate participant "p-001" (first on line 2)' },
      { line: 4, column: 'name', problem: 'required value is empty' },
      { line: 4, column: 'expires_at', problem: 'is not after signed_at' },
      { line: 4, column: 'form_ref', problem: 'path "../forms/p1.pdf" leaves the consent file\'s folder (no "..")' },
      { line: 4, column: 'form_sha256', problem: 'not a sha256 (64 hexadecimal characters): "xyz"' },
      {
        line: 4,
        column: 'reference_photo',
        problem: 'missing reference photo (required when biometric_consent is yes)',
      },
      { line: 4, column: 'guardian', problem: 'missing guardian (required when minor is yes)' },
      {
        line: 4,
        column: 'publication_scopes',
        problem: 'invalid scope "we b" (letters, digits, - and _; separate scopes with ;)',
      },
      {
        line: 5,
        column: 'signed_at',
        problem: '"2026-03-01T10:00" has no time zone (add Z or an offset such as +01:00)',
      },
      { line: 5, column: 'expires_at', problem: 'not a real date: "2026-02-30"' },
      {
        line: 5,
        column: 'form_ref',
        problem: 'absolute path "/etc/passwd" (give a path relative to the consent file\'s folder)',
      },
      {
        line: 5,
        column: 'reference_photo',
        problem: 'absolute path "C:\\\\photos\\\\p.jpg" (give a path relative to the consent file\'s folder)',
      },
      { line: 5, column: 'minor', problem: 'unknown value "perhaps" (use yes or no)' },
    ]);
  });

  it('throws a SitterError whose message lists the problems and whose hint says what to do', async () => {
    const p = parse(csv(HEADER, P1.replace(',yes,', ',maybe,'), P2.replace('2026-03-01T10:00:00+01:00', 'soon')));
    await expect(p).rejects.toThrow(SitterError);
    const e = (await p.catch((x: unknown) => x)) as SitterError;
    expect(e.code).toBe('CONSENT_FILE_INVALID');
    expect(e.message).toBe(
      'consent.csv: 2 problems, nothing was imported:\n' +
        '  line 2, biometric_consent: unknown consent value "maybe" (use yes or no)\n' +
        '  line 3, signed_at: not an ISO 8601 date: "soon" (use 2026-03-01 or 2026-03-01T14:30:00+01:00)',
    );
    expect(e.hint).toMatch(/^Fix every listed problem in consent\.csv and import it again/);
    expect(e.hint).toContain('docs/consent-format.md');
    expect(e.toJSON()).toMatchObject({ code: 'CONSENT_FILE_INVALID', details: e.details });
  });

  it('reports missing, unknown, misspelt, duplicate and empty header columns on line 1', async () => {
    const header =
      'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha25,reference_photo,minor,,name,notes';
    const row = `P-001,Ann,yes,2026-03-01,,,forms/p1.pdf,${SHA.f1},photos/p1.jpg,no,,Ann,hello`;
    expect(await problemsOf(csv(header, row))).toEqual([
      { line: 1, column: null, problem: 'empty column name in the header (column 11)' },
      { line: 1, column: 'name', problem: 'column appears twice in the header' },
      { line: 1, column: 'form_sha256', problem: 'missing column' },
      { line: 1, column: 'guardian', problem: 'missing column' },
      { line: 1, column: 'form_sha25', problem: 'unknown column "form_sha25" (did you mean "form_sha256"?)' },
      { line: 1, column: 'notes', problem: 'unknown column "notes"' },
    ]);
  });

  it('reports a row with the wrong number of values', async () => {
    expect(await problemsOf(csv(HEADER, P1, 'P-002,Bo Chen,no', P3))).toEqual([
      { line: 3, column: null, problem: 'has 3 values but the header has 12 columns' },
    ]);
  });

  it('reports a CSV syntax error on the line of the record that holds it', async () => {
    expect(await problemsOf(csv(HEADER, P1, `P-002,"Bo Chen,no,2026-03-01`, P3))).toEqual([
      { line: 3, column: null, problem: 'CSV syntax error: a quoted value is never closed (a closing " is missing)' },
    ]);
    expect(await problemsOf(csv(HEADER, P1, P2.replace('Bo Chen', 'Bo "Bob" Chen')))).toEqual([
      {
        line: 3,
        column: null,
        problem:
          'CSV syntax error: a " appears inside an unquoted value (quote the whole value and write "" for the quote)',
      },
    ]);
  });

  it('refuses a file with no records', async () => {
    expect(await problemsOf('')).toEqual([{ line: 1, column: null, problem: 'the file has no participant records' }]);
    expect(await problemsOf(csv(HEADER))).toEqual([
      { line: 1, column: null, problem: 'the file has no participant records' },
    ]);
  });

  it('refuses every empty required value', async () => {
    expect(await problemsOf(csv(HEADER, ' , ,,,,,,,,,,x'))).toEqual(
      ['participant_id', 'name', 'biometric_consent', 'signed_at', 'form_ref', 'form_sha256', 'minor'].map(
        (column) => ({
          line: 2,
          column,
          problem: 'required value is empty',
        }),
      ),
    );
  });

  it('checks dates: calendar, leap years, zones, order', async () => {
    const row = (signed: string, expires = '', withdrawn = ''): string =>
      `P-001,Ann,no,${signed},${expires},${withdrawn},forms/p1.pdf,${SHA.f1},,no,,`;
    expect(await problemsOf(csv(HEADER, row('2025-02-29')))).toEqual([
      { line: 2, column: 'signed_at', problem: 'not a real date: "2025-02-29"' },
    ]);
    expect(await problemsOf(csv(HEADER, row('2026-03-01T25:00:00Z')))).toEqual([
      { line: 2, column: 'signed_at', problem: 'not a real date: "2026-03-01T25:00:00Z"' },
    ]);
    expect(await problemsOf(csv(HEADER, row('2026-03-01', '2026-03-01')))).toEqual([
      { line: 2, column: 'expires_at', problem: 'is not after signed_at' },
    ]);
    expect(await problemsOf(csv(HEADER, row('2026-03-01T12:00:00Z', '', '2026-03-01T11:59:59Z')))).toEqual([
      { line: 2, column: 'withdrawn_at', problem: 'is before signed_at' },
    ]);
    const { rows } = await parse(csv(HEADER, row('2024-02-29T23:30:00.5-02:30', '2030-01-01T00:00Z')));
    expect(rows[0]?.signedAt.toISOString()).toBe('2024-03-01T02:00:00.500Z');
    expect(rows[0]?.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('reports a participant id given twice, whatever its case, at each repeat', async () => {
    const dup = (id: string): string => P2.replace('P-002', id).replace(',,no,,', ',,no,,');
    expect(await problemsOf(csv(HEADER, dup('X1'), dup('x1'), dup(' X1 ')))).toEqual([
      { line: 3, column: 'participant_id', problem: 'duplicate participant "x1" (first on line 2)' },
      { line: 4, column: 'participant_id', problem: 'duplicate participant "X1" (first on line 2)' },
    ]);
  });

  it('refuses paths that leave the folder, as written or through a symbolic link', async () => {
    const files = fakeFiles(
      { 'photos/link.jpg': SHA.p1 },
      { 'photos/link.jpg': 'symlink-escape', forms: 'not-a-file' },
    );
    const row = (id: string, form: string, photo: string): string =>
      `${id},N,yes,2026-03-01,,,${form},${SHA.f1},${photo},no,,`;
    const text = csv(
      HEADER,
      row('A', 'forms/../../x.pdf', 'photos/link.jpg'),
      row('B', 'forms', '..\\photos\\p1.jpg'),
      row('C', 'forms/p1.pdf', 'photos/nobody.jpg'),
    );
    expect(await problemsOf(text, 'csv', files)).toEqual([
      { line: 2, column: 'form_ref', problem: 'path "forms/../../x.pdf" leaves the consent file\'s folder (no "..")' },
      {
        line: 2,
        column: 'reference_photo',
        problem: 'path "photos/link.jpg" is a symbolic link leading outside the consent file\'s folder',
      },
      { line: 3, column: 'form_ref', problem: 'not a file: "forms"' },
      {
        line: 3,
        column: 'reference_photo',
        problem: 'path "..\\\\photos\\\\p1.jpg" leaves the consent file\'s folder (no "..")',
      },
      { line: 4, column: 'reference_photo', problem: 'file not found: "photos/nobody.jpg"' },
    ]);
  });

  it('refuses a form whose sha256 does not match, naming the actual hash', async () => {
    const row = P1.replace(SHA.f1, SHA.f2);
    expect(await problemsOf(csv(HEADER, row))).toEqual([
      {
        line: 2,
        column: 'form_sha256',
        problem: `does not match the form file "forms/p1.pdf" (its sha256 is ${SHA.f1})`,
      },
    ]);
  });

  it('reports a file that cannot be read instead of crashing', async () => {
    const files = fakeFiles({ 'forms/locked.pdf': '' });
    const row = P2.replace('forms/p2.pdf', 'forms/locked.pdf');
    expect(await problemsOf(csv(HEADER, row), 'csv', files)).toEqual([
      {
        line: 2,
        column: 'form_ref',
        problem: `cannot read "forms/locked.pdf": no such fake file ${ROOT}/forms/locked.pdf`,
      },
    ]);
  });

  it('refuses one reference photo for two people', async () => {
    const text = csv(HEADER, P1, P3.replace('photos/p3.jpg', './photos//p1.jpg'));
    expect(await problemsOf(text)).toEqual([
      {
        line: 3,
        column: 'reference_photo',
        problem: 'same file as the reference photo of "P-001" (line 2): one photo cannot stand for two people',
      },
    ]);
  });

  it('refuses a file that is not UTF-8 (decoded with replacement characters)', async () => {
    expect(await problemsOf(csv(HEADER, P1, P2.replace('Bo Chen', 'Bj\uFFFDrn')))).toEqual([
      { line: 3, column: null, problem: 'the file is not valid UTF-8 text (save it as UTF-8, e.g. "CSV UTF-8")' },
    ]);
  });

  it('refuses control characters in an id', async () => {
    expect(await problemsOf(csv(HEADER, P2.replace('P-002', '"P-\n002"')))).toEqual([
      { line: 2, column: 'participant_id', problem: 'contains a line break or control characters' },
    ]);
  });

  it('lists at most 50 problems in the message but every one in details', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => P2.replace('P-002', `Q${i}`).replace(',no,,', ',maybe,,'));
    const p = parse(csv(HEADER, ...rows));
    const e = (await p.catch((x: unknown) => x)) as SitterError;
    expect((e.details as unknown[]).length).toBe(60);
    expect(e.message.split('\n')).toHaveLength(52);
    expect(e.message).toMatch(/consent\.csv: 60 problems, nothing was imported:/);
    expect(e.message).toMatch(/\.\.\. and 10 more \(all of them are in the --json output\)$/);
  });
});

describe('parseConsentFile: JSON', () => {
  const record = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    participant_id: 'P-001',
    name: 'Ann Smith',
    biometric_consent: true,
    signed_at: '2026-03-01',
    expires_at: null,
    withdrawn_at: null,
    form_ref: 'forms/p1.pdf',
    form_sha256: SHA.f1,
    reference_photo: 'photos/p1.jpg',
    minor: false,
    guardian: null,
    publication_scopes: ['web', 'Print'],
    ...over,
  });

  it('reads an array of records, with booleans, nulls, numbers and a list of scopes', async () => {
    const text = JSON.stringify(
      [record(), record({ participant_id: 42, biometric_consent: 'no', reference_photo: null, minor: 0 })],
      null,
      2,
    );
    const { rows, format } = await parse(text, 'json');
    expect(format).toBe('json');
    expect(rows.map((r) => [r.line, r.participantId, r.biometricConsent, r.minor, r.publicationScopes])).toEqual([
      [2, 'P-001', true, false, ['web', 'print']],
      [19, '42', false, false, ['web', 'print']],
    ]);
  });

  it('reads {"participants": [...]} with a BOM, and omitted keys for empty values', async () => {
    const { participant_id, name, biometric_consent, signed_at, form_ref, form_sha256, minor } = record({
      biometric_consent: false,
    });
    const text =
      '\uFEFF' +
      JSON.stringify({
        participants: [{ participant_id, name, biometric_consent, signed_at, form_ref, form_sha256, minor }],
      });
    const { rows } = await parse(text, 'json');
    expect(rows[0]).toMatchObject({
      participantId: 'P-001',
      expiresAt: null,
      referencePhoto: null,
      guardian: null,
      publicationScopes: [],
    });
  });

  it('reports problems on the line of the key, and omitted required keys on the line the record opens', async () => {
    const second = record({
      participant_id: 'P-002',
      signed_at: '1 March',
      minor: true,
      form_ref: 'forms/p2.pdf',
      form_sha256: SHA.f2,
      reference_photo: 'photos/p2.jpg',
    });
    delete second.name;
    delete second.guardian;
    const text = JSON.stringify([record(), second], null, 2);
    // The second record opens on line 19; its signed_at key is on line 22.
    expect(await problemsOf(text, 'json')).toEqual([
      { line: 19, column: 'name', problem: 'required value is empty' },
      { line: 19, column: 'guardian', problem: 'missing guardian (required when minor is yes)' },
      {
        line: 22,
        column: 'signed_at',
        problem: 'not an ISO 8601 date: "1 March" (use 2026-03-01 or 2026-03-01T14:30:00+01:00)',
      },
    ]);
  });

  it('reports unknown and repeated keys, wrong types and records that are not objects', async () => {
    const text = [
      '[',
      '  "P-001",',
      `  {"participant_id": "P-002", "name": ["Bo"], "biometric_consent": "yes", "signed_at": 20260301,`,
      `   "form_ref": "forms/p2.pdf", "form_sha256": "${SHA.f2}", "reference_photo": "photos/p2.jpg",`,
      '   "minor": "no", "minor": "no", "guardien": "x", "publication_scopes": [1]}',
      ']',
    ].join('\n');
    expect(await problemsOf(text, 'json')).toEqual([
      { line: 2, column: null, problem: 'record is not an object' },
      { line: 3, column: 'name', problem: 'expected text, got a list' },
      { line: 3, column: 'signed_at', problem: 'expected text, got 20260301' },
      { line: 5, column: 'minor', problem: 'key appears twice in this record' },
      {
        line: 5,
        column: 'publication_scopes',
        problem: 'expected text such as "web;print" or a list of strings, got a list',
      },
      { line: 5, column: 'guardien', problem: 'unknown column "guardien" (did you mean "guardian"?)' },
    ]);
  });

  it('refuses invalid JSON with the line of the error, and the wrong shape', async () => {
    const broken = '[\n  {"participant_id": "P-001",}\n]';
    const problems = await problemsOf(broken, 'json');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, column: null });
    expect(problems[0]?.problem).toMatch(/^not valid JSON: /);

    expect(await problemsOf('{"people": []}', 'json')).toEqual([
      { line: 1, column: null, problem: 'expected an array of participant records, or {"participants": [...]}' },
    ]);
    expect(await problemsOf('{\n"participants": [],\n"shoot": "x"}', 'json')).toEqual([
      { line: 1, column: null, problem: 'the file has no participant records' },
      {
        line: 3,
        column: 'shoot',
        problem: 'unknown key "shoot" (expected an array of participant records, or {"participants": [...]})',
      },
    ]);
  });
});

describe('docs/consent-format.md', () => {
  const doc = readFileSync(new URL('../../docs/consent-format.md', import.meta.url), 'utf8');
  const block = (lang: string): string => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc);
    if (!m?.[1]) throw new Error(`no ${lang} example in the doc`);
    return m[1];
  };
  /** Every file exists, with the hash the example claims for it. */
  const filesAsClaimed = (text: string): ConsentFileAccess => {
    const claimed = new Map<string, string>();
    for (const m of text.matchAll(/(forms\/p-\d+\.pdf)"?,\s*(?:"form_sha256": )?"?([0-9a-f]{64})/g)) {
      if (m[1] && m[2]) claimed.set(m[1], m[2]);
    }
    return {
      root: ROOT,
      resolveInside: (rel) => Promise.resolve({ ok: true, absolutePath: `${ROOT}/${rel}` }),
      sha256: (abs) => Promise.resolve(claimed.get(abs.slice(ROOT.length + 1)) ?? SHA.p1),
    };
  };

  it('has a CSV example that imports', async () => {
    const text = block('csv');
    const { rows } = await parse(text, 'csv', filesAsClaimed(text));
    expect(rows.map((r) => [r.participantId, r.biometricConsent, r.minor, r.guardian, r.withdrawnAt !== null])).toEqual(
      [
        ['P-001', true, false, null, false],
        ['P-002', false, false, null, false],
        ['P-003', true, true, 'Dana Diaz', false],
        ['P-004', true, false, null, true],
      ],
    );
  });

  it('has a JSON example that imports', async () => {
    const text = block('json');
    const { rows } = await parse(text, 'json', filesAsClaimed(text));
    expect(rows.map((r) => [r.participantId, r.name, r.publicationScopes])).toEqual([
      ['P-001', 'Ann Smith', ['web', 'print']],
      ['P-002', 'Chen, Bo', ['web']],
    ]);
  });
});
