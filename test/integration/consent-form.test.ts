import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import QRCode from 'qrcode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { codeSvgOf, pdfScanOf, pdfTextOf, phoneScanOf } from '../helpers/form-scan.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { seedApprovedShoot } from '../helpers/seed.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface ScanLine {
  file: string;
  outcome: string;
  recorded: boolean;
  participant: string | null;
  sha256: string | null;
  formVersion: string | null;
}

/**
 * Issue 13, the consent form itself: `sitter consent form` prints the shoot's forms (PDF and HTML,
 * the ids as text and as a QR code, a version of the text), and `sitter consent signed` reads the
 * code back from the scans of the signed forms and records each on its consent record.
 */
describe('sitter consent form and consent signed', () => {
  let t: TestWorkspace;
  let out: { dir: string; cleanup: () => void };
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const settings = () =>
    sitter('settings', '--controller', 'Riverside Museum, 1 Quay Street', '--contact', 'privacy@riverside.example');
  const forms = (shoot: string, dir: string, ...more: string[]) =>
    sitter('consent', 'form', shoot, '--out', dir, ...more);
  const scansDir = () => {
    const dir = join(out.dir, 'scans');
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const signed = async (dir: string) => {
    const run = await sitter('consent', 'signed', 's', dir);
    return { run, scans: (jsonOf(run).scans as ScanLine[]) ?? [] };
  };
  const recordOf = async (shoot: string, who: string) => {
    const run = await sitter('consent', 'list', shoot);
    const list = jsonOf(run).participants as {
      participant: string;
      signedScan: { file: string; sha256: string; formVersion: string; versionCurrent: boolean } | null;
    }[];
    if (!list) throw new Error(run.stdout);
    return list.find((p) => p.participant === who)?.signedScan ?? null;
  };

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    out = tempDir('sitter-forms-');
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Smith', consent: 'yes', scopes: 'web;print' },
      { id: 'P2', name: 'Ben Photos', consent: 'no', scopes: 'web' },
      { id: 'P3', name: 'Cleo Minor', consent: 'yes', minor: true, guardian: 'Dana Guardian' },
    ]);
  });
  afterEach(async () => {
    await t.cleanup();
    out.cleanup();
  });

  it('CONTROLLER_MISSING: a form is refused, with the command that sets them, until the workspace names its controller and contact', async () => {
    const refused = await forms('s', join(out.dir, 'forms'));
    expect(refused.code).toBe(1);
    expect(jsonOf(refused).error).toMatchObject({ code: 'CONTROLLER_MISSING' });
    expect((jsonOf(refused).error as { hint: string }).hint).toContain('sitter settings --controller');
    expect(() => readdirSync(join(out.dir, 'forms'))).toThrow();

    expect((await settings()).code).toBe(0);
    expect(jsonOf(await sitter('settings')).settings).toEqual({
      controller: 'Riverside Museum, 1 Quay Street',
      contact: 'privacy@riverside.example',
    });
    expect((await forms('s', join(out.dir, 'forms'))).code).toBe(0);
  });

  it('writes a PDF and an HTML form per participant and a blank one, owner-only, and puts the issue on the audit chain', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    const run = await forms('s', dir);
    expect(run.code).toBe(0);
    const r = jsonOf(run) as { version: string; scopes: string[]; files: { name: string; sha256: string }[] };
    expect(r.scopes).toEqual(['print', 'web']); // those on the shoot's records, when none are given
    expect(r.version).toMatch(/^[0-9a-f]{16}$/);
    expect(readdirSync(dir).sort()).toEqual(
      ['consent-P1', 'consent-P2', 'consent-P3', 'consent-blank'].flatMap((n) => [`${n}.html`, `${n}.pdf`]),
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of r.files) {
      expect(statSync(join(dir, f.name)).mode & 0o777).toBe(0o600);
      expect(sha256(readFileSync(join(dir, f.name)))).toBe(f.sha256);
    }
    const audit = await t.ws.store.transaction((uow) => uow.audit.all());
    const issued = audit.find((e) => e.action === 'consent.forms-issued');
    expect(issued?.details).toMatchObject({ version: r.version, scopes: ['print', 'web'], blank: true });
    expect(JSON.stringify(issued)).not.toContain('Ada'); // no names on the chain
    expect(JSON.stringify(issued)).not.toContain('P1');
  });

  it('the PDF parses with pdf-lib and carries the shoot and participant ids, the version and the code', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    const r = jsonOf(await forms('s', dir, '--participant', 'P3'));
    expect(readdirSync(dir).sort()).toEqual(['consent-P3.html', 'consent-P3.pdf']); // one person: no blank form
    const bytes = readFileSync(join(dir, 'consent-P3.pdf'));
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(pdf.getSubject()).toBe(`shoot: s; participant: P3; form version: ${String(r.version)}`);
    expect(pdf.getKeywords()).toBe(`sitter-consent:1?shoot=s&version=${String(r.version)}&participant=P3`);
    const text = await pdfTextOf(bytes);
    for (const s of [
      'shoot: s',
      'participant: P3',
      `form version: ${String(r.version)}`,
      'Cleo Minor',
      'Dana Guardian',
    ])
      expect(text).toContain(s);
    expect(text).toContain('Riverside Museum, 1 Quay Street');
    expect(text).toContain('No face matching');
    expect(text).toMatch(/Face data is deleted at the latest 30 days/);
  });

  it('unsigned-form: the PDF Sitter generated, as written or re-saved by a viewer, is refused with a hint and recorded on no record; the signed scan is', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    await forms('s', dir);
    const scans = scansDir();
    const generated = readFileSync(join(dir, 'consent-P3.pdf'));
    writeFileSync(join(scans, 'a-P3-signed.pdf'), generated); // the very file consent form wrote
    const resaved = await (await PDFDocument.load(generated)).save(); // a viewer's "save": new producer and dates
    expect(sha256(resaved)).not.toBe(sha256(generated));
    writeFileSync(join(scans, 'b-P3-resaved.pdf'), resaved.slice());
    const html = readFileSync(join(dir, 'consent-P2.html'));
    writeFileSync(join(scans, 'c-P2.html'), html); // issued too: its sha256 is on the chain
    const photo = await phoneScanOf(codeSvgOf(readFileSync(join(dir, 'consent-P1.html'), 'utf8')));
    writeFileSync(join(scans, 'd-P1-photo.jpg'), photo);

    const { run, scans: lines } = await signed(scans);
    expect(run.code).toBe(1);
    expect(lines.map((l) => [l.file, l.outcome, l.recorded])).toEqual([
      ['a-P3-signed.pdf', 'unsigned-form', false],
      ['b-P3-resaved.pdf', 'unsigned-form', false],
      ['c-P2.html', 'unsigned-form', false],
      ['d-P1-photo.jpg', 'matched', true],
    ]);
    for (const l of lines.slice(0, 3))
      expect((l as ScanLine & { message: string }).message).toContain('scan or photograph the signed paper copy');
    expect(jsonOf(run).counts).toMatchObject({ unsignedForm: 3, matched: 1 });
    expect(await recordOf('s', 'P3')).toBeNull();
    expect(await recordOf('s', 'P2')).toBeNull();
    expect(await recordOf('s', 'P1')).toMatchObject({ file: 'd-P1-photo.jpg', sha256: sha256(photo) });
    const audit = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(audit.filter((e) => e.action === 'consent.signed-scan-recorded')).toHaveLength(1);

    const text = await runSitter(['--workspace', t.root, 'consent', 'signed', 's', scans]);
    expect(text.stdout).toMatch(/a-P3-signed\.pdf: UNSIGNED FORM: this is the form Sitter generated/);
  });

  it('the HTML offers photographs and biometric matching as two separate yes/no choices, the scopes as tick boxes, Art. 13, withdrawal and the guardian line', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    await forms('s', dir, '--scopes', 'web,print,social');
    const html = readFileSync(join(dir, 'consent-P3.html'), 'utf8');
    const fieldset = (key: string) =>
      new RegExp(`<fieldset class="choice" data-choice="${key}">[\\s\\S]*?</fieldset>`).exec(html)?.[0] ?? '';
    for (const key of ['photos', 'biometrics']) {
      expect(fieldset(key)).toContain(`name="${key}" value="yes"`);
      expect(fieldset(key)).toContain(`name="${key}" value="no"`);
    }
    expect(fieldset('biometrics')).not.toContain('name="photos"'); // two choices, not one
    for (const scope of ['web', 'print', 'social']) expect(html).toContain(`name="scope" value="${scope}"`);
    expect(html).toContain('<span id="participant">P3</span>');
    expect(html).toContain('<span id="shoot">s</span>');
    expect(html).toContain('Art. 13');
    expect(html).toContain('privacy@riverside.example');
    expect(html).toMatch(/withdraw[\s\S]*face data made from your photo[\s\S]*is deleted/);
    expect(html).toContain('Dana Guardian');
    expect(html).not.toMatch(/<script|(src|href)="?https?:/); // prints offline, nothing fetched
  });

  it('a phone photo of a signed form (rotated, scaled, JPEG) comes back to its record; a corrupt file is reported and the rest proceed', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    const version = String(jsonOf(await forms('s', dir)).version);
    const scans = scansDir();
    const photo = await phoneScanOf(codeSvgOf(readFileSync(join(dir, 'consent-P1.html'), 'utf8')), { angle: 5 });
    writeFileSync(join(scans, 'IMG_0001.jpg'), photo);
    const pdf = await pdfScanOf(
      await phoneScanOf(codeSvgOf(readFileSync(join(dir, 'consent-P2.html'), 'utf8')), { angle: -3 }),
    );
    writeFileSync(join(scans, 'scan-0002.pdf'), pdf);
    writeFileSync(join(scans, 'IMG_0003.jpg'), Buffer.from('not a jpeg at all'));
    writeFileSync(join(scans, 'notes.docx'), 'x');
    writeFileSync(join(scans, 'IMG_0004.png'), await sharp_blank());

    const { run, scans: lines } = await signed(scans);
    expect(run.code).toBe(1); // not every file was matched
    expect(lines).toEqual([
      expect.objectContaining({
        file: 'IMG_0001.jpg',
        outcome: 'matched',
        recorded: true,
        participant: 'P1',
        formVersion: version,
        sha256: sha256(photo),
      }),
      expect.objectContaining({ file: 'IMG_0003.jpg', outcome: 'unreadable', recorded: false }),
      expect.objectContaining({ file: 'IMG_0004.png', outcome: 'no-code', recorded: false }),
      expect.objectContaining({ file: 'notes.docx', outcome: 'unsupported', recorded: false }),
      expect.objectContaining({
        file: 'scan-0002.pdf',
        outcome: 'matched',
        recorded: true,
        participant: 'P2',
        sha256: sha256(pdf),
      }),
    ]);
    expect(await recordOf('s', 'P1')).toMatchObject({
      file: 'IMG_0001.jpg',
      sha256: sha256(photo),
      formVersion: version,
      versionCurrent: true,
    });
    expect(await recordOf('s', 'P2')).toMatchObject({ file: 'scan-0002.pdf', sha256: sha256(pdf) });
    expect(await recordOf('s', 'P3')).toBeNull();
    const audit = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(audit.filter((e) => e.action === 'consent.signed-scan-recorded').map((e) => e.details.sha256)).toEqual([
      sha256(photo),
      sha256(pdf),
    ]);
    expect((await sitter('audit', 'verify')).code).toBe(0);

    // The same folder again: nothing new is recorded.
    const again = await signed(scans);
    expect(again.scans.filter((s) => s.recorded).map((s) => s.outcome)).toEqual(['unchanged', 'unchanged']);

    // A re-import that makes a new version of P1's record keeps the scan on it.
    const before = (jsonOf(await sitter('consent', 'list', 's')).participants as { consentRecord: number }[])[0];
    const file = writeConsentFolder(join(t.root, '..', 'consent-s-again'), [
      {
        id: 'P1',
        name: 'Ada Smith',
        consent: 'yes',
        scopes: 'web;print',
        expires: '2031-01-01',
        photo: await pngBytes(1),
      },
      { id: 'P2', name: 'Ben Photos', consent: 'no', scopes: 'web' },
      {
        id: 'P3',
        name: 'Cleo Minor',
        consent: 'yes',
        minor: true,
        guardian: 'Dana Guardian',
        photo: await pngBytes(3),
      },
    ]);
    const reimport = await sitter('consent', 'import', 's', file);
    expect(jsonOf(reimport).updated).toContain('P1');
    const after = (jsonOf(await sitter('consent', 'list', 's')).participants as { consentRecord: number }[])[0];
    expect(after?.consentRecord).not.toBe(before?.consentRecord);
    expect(await recordOf('s', 'P1')).toMatchObject({ file: 'IMG_0001.jpg', sha256: sha256(photo) });
  });

  it('a form of another shoot, an unknown participant and a blank form are reported, and recorded on no record', async () => {
    await settings();
    await seedApprovedShoot(t, 'other', [{ id: 'P1', name: 'Ada Elsewhere', consent: 'yes', scopes: 'web' }]);
    const otherDir = join(out.dir, 'other-forms');
    await forms('other', otherDir);
    const dir = join(out.dir, 'forms');
    const version = String(jsonOf(await forms('s', dir)).version);
    const scans = scansDir();
    writeFileSync(
      join(scans, 'a-other.jpg'),
      await phoneScanOf(codeSvgOf(readFileSync(join(otherDir, 'consent-P1.html'), 'utf8'))),
    );
    const forged = await QRCode.toString(`sitter-consent:1?shoot=s&version=${version}&participant=P9`, { type: 'svg' });
    writeFileSync(join(scans, 'b-unknown.jpg'), await phoneScanOf(Buffer.from(forged)));
    writeFileSync(
      join(scans, 'c-blank.jpg'),
      await phoneScanOf(codeSvgOf(readFileSync(join(dir, 'consent-blank.html'), 'utf8'))),
    );
    const { run, scans: lines } = await signed(scans);
    expect(run.code).toBe(1);
    expect(lines.map((l) => [l.file, l.outcome, l.recorded])).toEqual([
      ['a-other.jpg', 'other-shoot', false],
      ['b-unknown.jpg', 'unknown-participant', false],
      ['c-blank.jpg', 'blank-form', false],
    ]);
    expect(await recordOf('s', 'P1')).toBeNull();
    expect(await recordOf('other', 'P1')).toBeNull();
  });

  it('a form printed from an earlier text (the contact changed since) is recorded and reported as version-differs', async () => {
    await settings();
    const dir = join(out.dir, 'forms');
    const printed = String(jsonOf(await forms('s', dir)).version);
    await sitter('settings', '--contact', 'dpo@riverside.example');
    const scans = scansDir();
    writeFileSync(
      join(scans, 'ada.jpg'),
      await phoneScanOf(codeSvgOf(readFileSync(join(dir, 'consent-P1.html'), 'utf8'))),
    );
    const { run, scans: lines } = await signed(scans);
    expect(run.code).toBe(1);
    const summary = jsonOf(run) as { currentVersion: string };
    expect(summary.currentVersion).not.toBe(printed);
    expect(lines).toEqual([
      expect.objectContaining({ outcome: 'version-differs', recorded: true, formVersion: printed }),
    ]);
    expect(await recordOf('s', 'P1')).toMatchObject({ formVersion: printed, versionCurrent: false });
    const text = await runSitter(['--workspace', t.root, 'consent', 'signed', 's', scans]);
    expect(text.stdout).toContain('ada.jpg');
  });

  it('init --controller --contact sets them on a new workspace, a bad value is refused before anything is made, and a change is on the chain by field name only', async () => {
    const fresh = join(out.dir, 'fresh');
    const bad = await runSitter(['--workspace', fresh, '--json', 'init', '--controller', ' ', '--contact', 'x@y.z']);
    expect(jsonOf(bad).error).toMatchObject({ code: 'SETTING_INVALID' });
    expect(() => readdirSync(fresh)).toThrow(); // no half-made workspace
    const made = await runSitter([
      '--workspace',
      fresh,
      'init',
      '--controller',
      'Riverside  Museum',
      '--contact',
      'x@y.z',
    ]);
    expect(made.code).toBe(0);
    const shown = await runSitter(['--workspace', fresh, '--json', 'settings']);
    expect(jsonOf(shown).settings).toEqual({ controller: 'Riverside Museum', contact: 'x@y.z' });

    await settings();
    await sitter('settings', '--contact', 'dpo@riverside.example');
    const audit = await t.ws.store.transaction((uow) => uow.audit.all());
    const changes = audit.filter((e) => e.action === 'workspace.settings-changed').map((e) => e.details);
    expect(changes).toEqual([{ changed: ['controller', 'contact'] }, { changed: ['contact'] }]);
    expect(JSON.stringify(audit)).not.toContain('riverside.example');
  });

  it('OUTPUT_INSIDE_PROTECTED: forms are never written into the workspace or the shoot folder', async () => {
    await settings();
    for (const inside of [join(t.root, 'forms'), join(t.root, '..', 'forms')]) {
      const run = await forms('s', inside);
      expect(run.code).toBe(1);
      expect(jsonOf(run).error).toMatchObject({ code: 'OUTPUT_INSIDE_PROTECTED' });
    }
  });
});

async function sharp_blank(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp({ create: { width: 800, height: 1000, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
}
