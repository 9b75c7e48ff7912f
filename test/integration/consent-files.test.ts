import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConsentFile, type ConsentProblem } from '../../src/core/consent/index.js';
import { SitterError } from '../../src/core/domain/errors.js';
import {
  consentFileAccessFor,
  createConsentFileAccess,
  readConsentFile,
} from '../../src/core/store/files/consent-files.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

const HEADER =
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes';

let tmp: string;
let shoot: string; // the consent file's folder
let outside: string; // a sibling folder the consent file may not reach

beforeEach(async () => {
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'sitter-consent-')));
  shoot = path.join(tmp, 'shoot');
  outside = path.join(tmp, 'outside');
  await mkdir(path.join(shoot, 'forms'), { recursive: true });
  await mkdir(path.join(shoot, 'photos'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(shoot, 'forms', 'p1.pdf'), 'form of P-001');
  await writeFile(path.join(shoot, 'forms', 'p2.pdf'), 'form of P-002');
  await writeFile(path.join(shoot, 'photos', 'p1.jpg'), 'photo of P-001');
  await writeFile(path.join(outside, 'secret.jpg'), 'not yours');
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeConsent(name: string, text: string): Promise<string> {
  const file = path.join(shoot, name);
  await writeFile(file, text);
  return file;
}

async function importFile(file: string) {
  const input = await readConsentFile(file);
  return parseConsentFile(input, consentFileAccessFor(file));
}

async function problemsOf(file: string): Promise<ConsentProblem[]> {
  const p = importFile(file);
  await expect(p).rejects.toBeInstanceOf(SitterError);
  await expect(p).rejects.toMatchObject({ code: 'CONSENT_FILE_INVALID' });
  return ((await p.catch((e: unknown) => e)) as SitterError).details as ConsentProblem[];
}

describe('consent import on real files', () => {
  it('imports a CSV with a BOM and CRLF: real absolute paths, real hashes, the file hash', async () => {
    const text =
      '\uFEFF' +
      [
        HEADER,
        `P-001,Ann Smith,yes,2026-03-01,,,forms/p1.pdf,${sha('form of P-001')},photos/p1.jpg,no,,web`,
        `P-002,Bo Chen,no,2026-03-01,,,forms\\p2.pdf,${sha('form of P-002')},,no,,`,
      ].join('\r\n');
    const file = await writeConsent('consent.csv', text);
    const result = await importFile(file);
    expect(result.fileSha256).toBe(sha(await readFile(file)));
    expect(result.rows.map((r) => [r.formRef, r.formRefRelative, r.referencePhoto, r.referencePhotoSha256])).toEqual([
      [
        path.join(shoot, 'forms', 'p1.pdf'),
        'forms/p1.pdf',
        path.join(shoot, 'photos', 'p1.jpg'),
        sha('photo of P-001'),
      ],
      [path.join(shoot, 'forms', 'p2.pdf'), 'forms/p2.pdf', null, null],
    ]);
  });

  it('imports JSON, choosing the format from the extension', async () => {
    const file = await writeConsent(
      'consent.json',
      JSON.stringify({
        participants: [
          {
            participant_id: 'P-001',
            name: 'Ann',
            biometric_consent: true,
            signed_at: '2026-03-01',
            form_ref: 'forms/p1.pdf',
            form_sha256: sha('form of P-001'),
            reference_photo: 'photos/p1.jpg',
            minor: false,
          },
        ],
      }),
    );
    const result = await importFile(file);
    expect(result.format).toBe('json');
    expect(result.rows[0]?.referencePhoto).toBe(path.join(shoot, 'photos', 'p1.jpg'));
  });

  it('refuses symbolic links out of the folder, missing files, folders and a form whose hash differs', async () => {
    await symlink(path.join(outside, 'secret.jpg'), path.join(shoot, 'photos', 'escape.jpg'));
    await symlink(outside, path.join(shoot, 'elsewhere')); // a linked folder
    await symlink('../outside/secret.jpg', path.join(shoot, 'relative-escape.jpg'));
    await symlink(path.join(shoot, 'nothing.jpg'), path.join(shoot, 'photos', 'dangling.jpg'));
    const row = (id: string, form: string, formSha: string, photo: string): string =>
      `${id},N ${id},yes,2026-03-01,,,${form},${formSha},${photo},no,,`;
    const good = sha('form of P-001');
    const file = await writeConsent(
      'consent.csv',
      [
        HEADER,
        row('A', 'forms/p1.pdf', good, 'photos/escape.jpg'), // 2
        row('B', 'forms/p1.pdf', good, 'elsewhere/secret.jpg'), // 3
        row('C', 'forms/p1.pdf', good, 'relative-escape.jpg'), // 4
        row('D', 'forms/p1.pdf', good, 'photos/dangling.jpg'), // 5
        row('E', 'forms/missing.pdf', good, 'photos'), // 6
        row('F', 'forms/p2.pdf', good, '../outside/secret.jpg'), // 7
        row('G', 'forms/p1.pdf', good, path.join(outside, 'secret.jpg')), // 8
      ].join('\n'),
    );
    expect(await problemsOf(file)).toEqual([
      {
        line: 2,
        column: 'reference_photo',
        problem: 'path "photos/escape.jpg" is a symbolic link leading outside the consent file\'s folder',
      },
      {
        line: 3,
        column: 'reference_photo',
        problem: 'path "elsewhere/secret.jpg" is a symbolic link leading outside the consent file\'s folder',
      },
      {
        line: 4,
        column: 'reference_photo',
        problem: 'path "relative-escape.jpg" is a symbolic link leading outside the consent file\'s folder',
      },
      { line: 5, column: 'reference_photo', problem: 'file not found: "photos/dangling.jpg"' },
      { line: 6, column: 'form_ref', problem: 'file not found: "forms/missing.pdf"' },
      { line: 6, column: 'reference_photo', problem: 'not a file: "photos"' },
      {
        line: 7,
        column: 'form_sha256',
        problem: `does not match the form file "forms/p2.pdf" (its sha256 is ${sha('form of P-002')})`,
      },
      {
        line: 7,
        column: 'reference_photo',
        problem: 'path "../outside/secret.jpg" leaves the consent file\'s folder (no "..")',
      },
      {
        line: 8,
        column: 'reference_photo',
        problem: `absolute path ${JSON.stringify(path.join(outside, 'secret.jpg'))} (give a path relative to the consent file's folder)`,
      },
    ]);
  });
});

describe('the node:fs ConsentFileAccess adapter', () => {
  it('resolves a file inside, following links that stay inside, to its real path', async () => {
    await symlink(path.join(shoot, 'photos', 'p1.jpg'), path.join(shoot, 'alias.jpg'));
    const files = createConsentFileAccess(shoot);
    expect(files.root).toBe(shoot);
    expect(await files.resolveInside('photos/p1.jpg')).toEqual({
      ok: true,
      absolutePath: path.join(shoot, 'photos', 'p1.jpg'),
    });
    expect(await files.resolveInside('./photos//p1.jpg')).toEqual({
      ok: true,
      absolutePath: path.join(shoot, 'photos', 'p1.jpg'),
    });
    expect(await files.resolveInside('alias.jpg')).toEqual({
      ok: true,
      absolutePath: path.join(shoot, 'photos', 'p1.jpg'),
    });
  });

  it('works when the consent folder itself is reached through a link', async () => {
    const link = path.join(tmp, 'shoot-link');
    await symlink(shoot, link);
    const files = createConsentFileAccess(link);
    expect(await files.resolveInside('photos/p1.jpg')).toEqual({
      ok: true,
      absolutePath: path.join(shoot, 'photos', 'p1.jpg'),
    });
    expect(await files.resolveInside('../outside/secret.jpg')).toEqual({ ok: false, reason: 'parent' });
  });

  it('refuses absolute paths, "..", escapes, missing files and folders with a reason', async () => {
    await symlink(outside, path.join(shoot, 'out'));
    const files = createConsentFileAccess(shoot);
    expect(await files.resolveInside(path.join(shoot, 'photos', 'p1.jpg'))).toEqual({ ok: false, reason: 'absolute' });
    expect(await files.resolveInside('C:\\photos\\p1.jpg')).toEqual({ ok: false, reason: 'absolute' });
    expect(await files.resolveInside('photos/../photos/p1.jpg')).toEqual({ ok: false, reason: 'parent' });
    expect(await files.resolveInside('out/secret.jpg')).toEqual({ ok: false, reason: 'symlink-escape' });
    expect(await files.resolveInside('out')).toEqual({ ok: false, reason: 'symlink-escape' });
    expect(await files.resolveInside('photos/none.jpg')).toEqual({ ok: false, reason: 'missing' });
    expect(await files.resolveInside('photos/p1.jpg/x')).toEqual({ ok: false, reason: 'missing' });
    expect(await files.resolveInside('photos')).toEqual({ ok: false, reason: 'not-a-file' });
    expect(await files.resolveInside('')).toEqual({ ok: false, reason: 'missing' });
  });

  it('hashes a file as sha256 hex', async () => {
    const files = createConsentFileAccess(shoot);
    expect(await files.sha256(path.join(shoot, 'forms', 'p1.pdf'))).toBe(sha('form of P-001'));
    await expect(files.sha256(path.join(shoot, 'nope'))).rejects.toThrow(/ENOENT/);
  });

  it('reports an unreadable file as a problem, not a crash', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const { chmod } = await import('node:fs/promises');
    await chmod(path.join(shoot, 'forms', 'p1.pdf'), 0o000);
    const file = await writeConsent(
      'consent.csv',
      `${HEADER}\nP-001,Ann,no,2026-03-01,,,forms/p1.pdf,${sha('form of P-001')},,no,,\n`,
    );
    const problems = await problemsOf(file);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, column: 'form_ref' });
    expect(problems[0]?.problem).toMatch(/^cannot read "forms\/p1\.pdf": .*EACCES/);
  });
});

describe('readConsentFile', () => {
  it('refuses a file that is neither .csv nor .json, or is missing', async () => {
    const txt = await writeConsent('consent.txt', HEADER);
    await expect(readConsentFile(txt)).rejects.toMatchObject({ code: 'CONSENT_FILE_FORMAT' });
    expect((await readConsentFile(txt, 'csv')).format).toBe('csv');
    await expect(readConsentFile(path.join(shoot, 'none.csv'))).rejects.toMatchObject({
      code: 'CONSENT_FILE_NOT_FOUND',
    });
    await expect(readConsentFile(path.join(shoot, 'photos'), 'csv')).rejects.toMatchObject({
      code: 'CONSENT_FILE_NOT_FOUND',
    });
  });
});
