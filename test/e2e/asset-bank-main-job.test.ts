/**
 * The main job on Asset Bank, end to end through the real CLI (issue 12): the fake Asset Bank (two real
 * HTTP servers) holds a shoot of photos composited from ../shared/faces (read in place, never copied
 * into the project); the archivist creates the shoot with its secrets by name, checks the connector,
 * imports consent, approves, enrols and scans with the real models, confirms the proposals, pushes,
 * withdraws one person, erases her, and verifies the chain. Afterwards no secret (password, client
 * secret, any token the fake issued) is in the workspace, the audit export, stdout or stderr.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLedger } from '../../src/connectors/asset-bank/values.js';
import { consentUri } from '../../src/connectors/payload.js';
import { jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { writeConsentFolder } from '../helpers/consent-fixture.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { tempDir } from '../helpers/workspace.js';
import { FAKE_AB, startFakeAssetBank, type FakeAssetBank } from '../fakes/asset-bank/index.js';
import { A, assetBankShootOptions, ledgerUris } from '../helpers/asset-bank.js';

const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces', 'deepface', 'tests', 'unit', 'dataset');
const face = (f: string) => readFileSync(join(FACES, f));
const EXIF = { IFD2: { DateTimeOriginal: '2026:06:01 10:00:00', OffsetTimeOriginal: '+00:00' } };

/** People side by side on one canvas, a JPEG taken on the shoot's first day. */
async function composite(files: string[]): Promise<Uint8Array> {
  const tiles = await Promise.all(
    files.map((f) => sharp(face(f)).rotate().resize(360, 420, { fit: 'cover' }).toBuffer()),
  );
  const jpeg = await sharp({
    create: { width: 40 + 400 * files.length, height: 500, channels: 3, background: '#8a8f94' },
  })
    .composite(tiles.map((input, i) => ({ input, left: 20 + 400 * i, top: 40 })))
    .jpeg({ quality: 92 })
    .withExif(EXIF)
    .toBuffer();
  return new Uint8Array(jpeg);
}

interface FaceJson {
  face: number;
  state: string;
  participant: string | null;
}
interface MatchesJson {
  assets: { asset: string; faces: FaceJson[] }[];
}
interface Finding {
  step: string;
  ok: boolean;
}

const SHOOT = 's42';
const ADA = { id: 'P1', name: 'Ada Test' };
const BEN = { id: 'P2', name: 'Ben Test' };
/** The attributes Sitter maps: the only ones a withdrawal may change. */
const MAPPED = new Set<number>([A.participants, A.consentRefs, A.faceRegions, A.usageClearance]);

describe('the main job on Asset Bank through the CLI (real models, the fake Asset Bank)', () => {
  const tmp = tempDir('sitter-ab-job-');
  const ws = join(tmp.dir, 'ws');
  const exportFile = join(tmp.dir, 'audit.jsonl');
  const env = { SITTER_SECRET_AB_PW: FAKE_AB.users.archivist.password, SITTER_SECRET_AB_CLIENT: FAKE_AB.clientSecret };
  const outputs: CliRun[] = [];
  let fake: FakeAssetBank;
  let pair = 0;
  let solo = 0;
  const sitter = async (...args: string[]) => {
    const run = await runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir, env });
    outputs.push(run);
    return run;
  };
  const ok = async (...args: string[]) => {
    const run = await sitter(...args);
    expect(run.code, `sitter ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
    return run;
  };
  /** the last JSON line of a command that prints JSON lines (scan) */
  const lastLine = (run: CliRun) => JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  const matches = async () => jsonOf(await ok('matches', SHOOT)) as unknown as MatchesJson;
  const uri = (p: { id: string }) => consentUri(SHOOT, p.id);

  beforeAll(async () => {
    fake = await startFakeAssetBank();
    const values = { [A.shootId]: FAKE_AB.shootId, [A.dateTaken]: '01/06/2026 10:00:00', [A.title]: 'Keep me' };
    const asset = async (name: string, files: string[]) =>
      fake.addAsset({
        originalFilename: name,
        bytes: await composite(files),
        accessLevelIds: [FAKE_AB.folders.shoot],
        values,
      });
    pair = await asset('pair.jpg', ['img5.jpg', 'img9.jpg']); // Ada (angelina) and Ben (deepface_img8)
    solo = await asset('solo.jpg', ['img2.jpg']); // Ada alone
    const png = (f: string) => sharp(face(f)).rotate().resize({ width: 400 }).png().toBuffer();
    writeConsentFolder(join(tmp.dir, 'consent'), [
      { ...ADA, consent: 'yes', scopes: 'all', photo: await png('img1.jpg') },
      { ...BEN, consent: 'yes', scopes: 'all', photo: await png('img8.jpg') },
    ]);
  }, 60_000);
  afterAll(async () => {
    await fake?.close();
    tmp.cleanup();
  });

  it('create, check, import, approve, enrol, scan, decide, push: the mapped attributes land in Asset Bank', async () => {
    await ok('init');
    const secrets = { clientSecret: 'AB_CLIENT', password: 'AB_PW' };
    const options = assetBankShootOptions(fake, secrets, { requestsPerSecond: 15 });
    await ok(
      ...createArgs(SHOOT, `folder:${FAKE_AB.folders.shoot}`),
      '--connector',
      'asset-bank',
      ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
    );
    const check = jsonOf(await ok('connectors', 'check', SHOOT));
    expect((check.findings as Finding[]).every((f) => f.ok)).toBe(true);
    await ok('consent', 'import', SHOOT, join(tmp.dir, 'consent', 'consent.csv'));
    await ok('shoot', 'approve', SHOOT, '--dpia', 'DPIA-42', '--approved-by', 'Dora DPO');
    await ok('enrol', SHOOT);
    const scan = lastLine(await ok('scan', SHOOT, '--workers', '1'));
    expect(scan).toMatchObject({ type: 'summary', processed: 2, failed: [] });

    // Both signed for every use (scopes "all"): an unlimited release each.
    // The real models propose Ada on both photos and Ben on the pair; the reviewer confirms them.
    const proposed = (await matches()).assets.flatMap((a) => a.faces.filter((f) => f.state === 'proposed'));
    expect(proposed.map((f) => f.participant).sort()).toEqual([ADA.id, ADA.id, BEN.id]);
    for (const f of proposed) await ok('decide', SHOOT, String(f.face), '--confirm', '--reviewer', 'Rita');

    const pushed = await ok('push', SHOOT);
    expect(pushed.stdout).not.toContain('"failed":[{');
    // The fake holds what the archivist mapped: names, the consent ledger, regions, clearance.
    expect(fake.valueOf(pair, A.participants)).toBe('Ada Test; Ben Test');
    expect(fake.valueOf(solo, A.participants)).toBe('Ada Test');
    expect(ledgerUris(fake, pair)).toEqual([uri(ADA), uri(BEN)].sort());
    expect(ledgerUris(fake, solo)).toEqual([uri(ADA)]);
    const ledger = parseLedger(fake.valueOf(pair, A.consentRefs))!;
    expect(ledger.entries.map((e) => e.name).sort()).toEqual([ADA.name, BEN.name]);
    const regions = JSON.parse(fake.valueOf(pair, A.faceRegions)) as {
      regions: { consent: string; name: string; x: number; w: number }[];
    };
    expect(regions.regions.map((r) => r.name).sort()).toEqual([ADA.name, BEN.name]);
    // Ada stands on the left of the pair, Ben on the right.
    const centre = (name: string) => regions.regions.filter((r) => r.name === name).map((r) => r.x + r.w / 2)[0]!;
    expect(centre(ADA.name)).toBeLessThan(0.5);
    expect(centre(BEN.name)).toBeGreaterThan(0.5);
    expect(fake.valueOf(pair, A.usageClearance)).toBe('Cleared');
    expect(fake.valueOf(pair, A.title)).toBe('Keep me');
  }, 600_000);

  it('withdraw changes only Sitter’s attributes, and the receipt’s read-back says clean', async () => {
    const before = fake.writes().length;
    const title = fake.valueOf(pair, A.title);
    const run = await ok('withdraw', SHOOT, BEN.id);
    const receipt = jsonOf(run) as { verifiedInSource: string; sourceCheck: { assets: number; stillNamed: string[] } };
    expect(receipt.verifiedInSource).toBe('clean');
    expect(receipt.sourceCheck).toMatchObject({ assets: 1, stillNamed: [] });
    const writes = fake.writes().slice(before);
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      expect(w.assetId).toBe(pair);
      for (const id of Object.keys(w.changes).map(Number)) expect(MAPPED.has(id), `attribute ${id}`).toBe(true);
    }
    // Ben is gone from the photo; Ada stays on it, and the clearance now counts an unnamed face.
    expect(fake.valueOf(pair, A.participants)).toBe('Ada Test');
    expect(ledgerUris(fake, pair)).toEqual([uri(ADA)]);
    expect(fake.valueOf(pair, A.faceRegions)).not.toContain(BEN.name);
    expect(fake.valueOf(pair, A.usageClearance)).toBe('Restricted');
    expect(fake.valueOf(pair, A.title)).toBe(title);
    expect(ledgerUris(fake, solo)).toEqual([uri(ADA)]);
  }, 180_000);

  it('erase, then audit verify: the chain holds and the source names Ben nowhere', async () => {
    const erased = await ok('erase', SHOOT, BEN.id);
    // Exit 0: the erasure's own proof (store, chain, and the source read back) found nothing naming Ben.
    expect(jsonOf(erased)).toMatchObject({ outcome: 'erased' });
    expect(erased.stdout).not.toContain(BEN.name);
    expect(jsonOf(await ok('audit', 'verify'))).toMatchObject({ ok: true });
    for (const id of [pair, solo]) for (const attr of MAPPED) expect(fake.valueOf(id, attr)).not.toContain(BEN.name);
  }, 180_000);

  it('no secret is in the workspace, the audit export, stdout or stderr', async () => {
    await ok('audit', 'export', '--output', exportFile);
    const tokens = [...fake.state.refreshTokens.keys(), ...fake.state.accessTokens.keys()];
    expect(tokens.length, 'the fake issued tokens to the CLI').toBeGreaterThan(1);
    const canaries = [FAKE_AB.users.archivist.password, FAKE_AB.clientSecret, ...tokens];
    const places: [string, Buffer][] = [
      ...filesUnder(ws).map((f): [string, Buffer] => [f, readFileSync(f)]),
      [exportFile, readFileSync(exportFile)],
      ...outputs.map((o, i): [string, Buffer] => [`output ${i}`, Buffer.from(o.stdout + o.stderr)]),
    ];
    expect(places.length).toBeGreaterThan(outputs.length + 2);
    for (const [where, bytes] of places)
      for (const secret of canaries) expect(bytes.includes(secret), `${where} holds a secret`).toBe(false);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
