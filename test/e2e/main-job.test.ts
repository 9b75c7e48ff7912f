import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import { boxIou, SAME_FACE_CARRY_IOU } from '../../src/core/domain/geometry.js';

interface FaceJson {
  face: number;
  box: { x: number; y: number; w: number; h: number };
  state: string;
  participant: string | null;
  score: number | null;
  margin: number | null;
}
interface CarryJson {
  face: number;
  from: number;
  participant: string | null;
  carried: boolean;
  outcome: string;
  decisions: number[];
  confirmedBy: string[];
}
interface MatchesJson {
  shoot: string;
  assets: { asset: string; file: string; flags: string[]; faces: FaceJson[] }[];
}

/**
 * The main job with the real face models on the demo shoot (photos shipped by @vladmandic/face-api),
 * as an archivist runs it: demo, matches, decide, rescan, push read back by exiftool, and a scan
 * killed with SIGKILL and resumed.
 */
describe('the main job end to end, real models', () => {
  const tmp = tempDir('sitter-job-');
  let ws = '';
  let shootDir = '';
  const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args]);
  const matches = async () => jsonOf(await sitter('matches', 'demo')) as unknown as MatchesJson;
  /** the newest scan.asset audit entry of one asset */
  const scanEntry = async (asset: string) => {
    const lines = (await runSitter(['-w', ws, 'audit', 'export', '--shoot', 'demo'])).stdout.trim().split('\n');
    const entries = lines.map(
      (l) => JSON.parse(l) as { action: string; subject: string; details: { carriedOver: CarryJson[] } },
    );
    return entries.filter((e) => e.action === 'scan.asset' && e.subject === `asset:${asset}`).at(-1)!;
  };

  beforeAll(async () => {
    const run = await runSitter(['--json', 'demo', '--dir', tmp.dir]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const result = jsonOf(run) as { workspace: string; auditOk: boolean };
    expect(result.auditOk).toBe(true);
    ws = result.workspace;
    shootDir = join(tmp.dir, 'shoot');
  }, 240_000);
  afterAll(async () => {
    await exiftool.end();
    tmp.cleanup();
  });

  it('the scan puts on the record which runtime embedded (onnxruntime-node here) beside the model digest', async () => {
    const lines = (await runSitter(['-w', ws, 'audit', 'export', '--shoot', 'demo'])).stdout.trim().split('\n');
    const started = lines
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> })
      .filter((e) => e.action === 'scan.started');
    expect(started.length).toBeGreaterThanOrEqual(1);
    for (const e of started) {
      expect(e.details.modelDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(e.details.embeddingRuntime).toMatch(/^onnxruntime-node \d+\.\d+\.\d+$/);
    }
    // and each analysed photo's entry, which runtime embedded its faces
    const analysed = lines
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> })
      .filter((e) => e.action === 'scan.asset');
    expect(analysed.length).toBeGreaterThanOrEqual(1);
    for (const e of analysed) expect(e.details.embeddingRuntime).toMatch(/^onnxruntime-node \d+\.\d+\.\d+$/);
  });

  it('matches --json is one document in the documented shape, and the photos-only person is never named', async () => {
    const m = await matches();
    expect(m.shoot).toBe('demo');
    expect(m.assets.map((a) => a.file).sort()).toEqual([
      'IMG_0001.jpg',
      'IMG_0002.jpg',
      'IMG_0003.jpg',
      'IMG_0004.jpg',
    ]);
    const faces = m.assets.flatMap((a) => a.faces);
    expect(faces.length).toBeGreaterThanOrEqual(10);
    for (const f of faces) {
      expect(['proposed', 'confirmed', 'rejected', 'unidentified']).toContain(f.state);
      for (const v of [f.box.x, f.box.y, f.box.w, f.box.h]) expect(v).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.w).toBeLessThanOrEqual(1.0001);
      if (f.state === 'unidentified') expect(f.participant).toBeNull();
      else expect(f.participant).toMatch(/^M-00[12]$/);
    }
    expect(faces.some((f) => f.participant === 'M-003')).toBe(false);
    // Every asset with an unnamed face is flagged for manual handling.
    for (const a of m.assets)
      expect(a.flags.includes('unidentified-person')).toBe(a.faces.some((f) => f.state === 'unidentified'));
    // Open-set safety (issue 16): the photos-only person's tilted close-up on IMG_0001 lies 0.558 from
    // Model Two's template, within the old 0.565 for every face; its band (79.7 px between the eyes)
    // matches at 0.53, so it is proposed as nobody, and only Model One is named on that photo.
    const first = m.assets.find((a) => a.asset === 'day1/IMG_0001.jpg')!;
    expect(first.faces.filter((f) => f.participant).map((f) => f.participant)).toEqual(['M-001']);
    // One participant at most once per image.
    for (const a of m.assets) {
      const named = a.faces.filter((f) => f.participant).map((f) => f.participant);
      expect(new Set(named).size).toBe(named.length);
    }
  });

  it('push wrote XMP that exiftool reads back: confirmed names and regions only', async () => {
    const m = await matches();
    // Both named models have a confirmed face, so the loop below reads real sidecars, not none.
    const confirmedPeople = new Set(
      m.assets.flatMap((a) => a.faces.filter((f) => f.state === 'confirmed').map((f) => f.participant)),
    );
    expect([...confirmedPeople].sort()).toEqual(['M-001', 'M-002']);
    for (const a of m.assets) {
      const confirmed = a.faces.filter((f) => f.state === 'confirmed');
      const sidecar = join(shootDir, `${a.asset}.xmp`);
      expect(existsSync(sidecar), sidecar).toBe(confirmed.length > 0);
      if (!confirmed.length) continue;
      const tags = (await exiftool.read(sidecar)) as unknown as Record<string, unknown>;
      const names = ([] as string[]).concat((tags.PersonInImage as string[] | string | undefined) ?? []);
      expect(names.sort()).toEqual(
        confirmed.map((f) => (f.participant === 'M-001' ? 'Model One' : 'Model Two')).sort(),
      );
      expect(JSON.stringify(tags)).not.toContain('Photos-Only Three');
      const regions = (tags.RegionInfo as { RegionList?: unknown[] } | undefined)?.RegionList ?? [];
      expect(regions.length).toBe(confirmed.length);
    }
    const validate = (await exiftool.readRaw(join(shootDir, 'day1', 'IMG_0002.jpg.xmp'), [
      '-validate',
      '-warning',
      '-a',
    ])) as Record<string, unknown>;
    expect(validate.Validate).toBe('OK');
  });

  it('a changed photo is scanned again: rejected pairs stay rejected, confirmations carry over', async () => {
    const proposedNow = async () =>
      (await matches()).assets.flatMap((a) => a.faces.map((f) => ({ a, f }))).find(({ f }) => f.state === 'proposed');
    // The demo's pretend reviewer confirmed every proposal it made: undo its latest to have one pending.
    if (!(await proposedNow()))
      expect((await sitter('decide', 'demo', '--undo', '--reviewer', 'demo-reviewer')).code).toBe(0);
    const pending = await proposedNow();
    expect(pending, 'a proposal waits for review').toBeDefined();
    const { a, f } = pending!;
    const confirmedBefore = a.faces
      .filter((g) => g.state === 'confirmed')
      .map((g) => g.participant)
      .sort();
    const rejected = await sitter('decide', 'demo', String(f.face), '--reject', '--reviewer', 'Rita');
    expect(rejected.code).toBe(0);
    // Re-encode the photo (as an editor's re-export would, keeping its EXIF capture time): new content
    // hash, same people, so it is analysed again.
    const file = join(shootDir, a.asset);
    writeFileSync(file, await sharp(readFileSync(file)).keepMetadata().jpeg({ quality: 90 }).toBuffer());
    const rescan = await runSitter(['-w', ws, 'scan', 'demo', '--workers', '1']);
    expect(rescan.code, rescan.stdout + rescan.stderr).toBe(0);
    expect(rescan.stdout).toMatch(/1 analysed/);
    const after = (await matches()).assets.find((x) => x.asset === a.asset)!;
    expect(after.faces.length).toBeGreaterThan(0);
    expect(after.faces.some((g) => g.participant === f.participant && g.state === 'proposed')).toBe(false);
    // The confirmations of the photo carried over to the re-detected faces.
    expect(
      after.faces
        .filter((g) => g.state === 'confirmed')
        .map((g) => g.participant)
        .sort(),
    ).toEqual(confirmedBefore);
    // The audit entry says each was carried, onto which face, from which decisions, by whose confirmation.
    const carried = (await scanEntry(a.asset)).details.carriedOver;
    expect(carried.map((c) => c.carried)).toEqual(confirmedBefore.map(() => true));
    for (const c of carried) {
      // The chain names the person by pseudonym only ("#12"), never by reference or name.
      expect(c.participant).toMatch(/^#\d+$/);
      expect(after.faces.find((g) => g.face === c.face)?.state).toBe('confirmed');
      expect(c.decisions.length).toBeGreaterThan(0);
      expect(c.confirmedBy).toEqual(['demo-reviewer']);
    }
  }, 180_000);

  it('--rescan keeps reviewed photos as they are', async () => {
    const before = await matches();
    const run = await sitter('scan', 'demo', '--rescan', '--workers', '1');
    const summary = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; unchanged?: number; processed?: number })
      .find((l) => l.type === 'summary');
    const reviewed = before.assets.filter((x) =>
      x.faces.some((g) => g.state === 'confirmed' || g.state === 'rejected'),
    ).length;
    expect(summary?.unchanged).toBe(reviewed);
    const after = await matches();
    for (const x of before.assets.filter((y) => y.faces.some((g) => g.state === 'confirmed'))) {
      expect(after.assets.find((y) => y.asset === x.asset)?.faces.filter((g) => g.state === 'confirmed')).toEqual(
        x.faces.filter((g) => g.state === 'confirmed'),
      );
    }
  }, 180_000);

  it('an unchanged asset is not processed again', async () => {
    const run = await sitter('scan', 'demo');
    const summary = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; unchanged?: number; processed?: number })
      .find((l) => l.type === 'summary');
    expect(summary).toMatchObject({ processed: 0, unchanged: 4 });
  }, 120_000);

  it('a scan killed with SIGKILL resumes with no asset lost or counted twice', async () => {
    // A second shoot over a copy of the demo photos, enrolled from the same consent file.
    const photos = join(tmp.dir, 'shoot2');
    cpSync(shootDir, photos, { recursive: true, filter: (src) => !src.endsWith('.xmp') });
    expect(
      (
        await sitter(
          'shoot',
          'create',
          'again',
          '--name',
          'Again',
          '--source',
          photos,
          '--purpose',
          'resume test',
          '--retention-days',
          '5',
          ...shootDaysAroundToday(),
        )
      ).code,
    ).toBe(0);
    expect((await sitter('consent', 'import', 'again', join(tmp.dir, 'consent', 'consent.csv'))).code).toBe(0);
    expect((await sitter('shoot', 'approve', 'again', '--dpia', 'D', '--approved-by', 'A')).code).toBe(0);
    expect((await sitter('enrol', 'again')).code).toBe(0);

    const child = spawn(process.execPath, [CLI, '-w', ws, '--json', 'scan', 'again', '--workers', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        // Kill as soon as the first asset is done, in the middle of the second.
        if (/"done":1/.test(d.toString())) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    const exportAssets = async () =>
      (await runSitter(['-w', ws, 'audit', 'export', '--shoot', 'again'])).stdout
        .split('\n')
        .filter((l) => l.includes('"scan.asset"')).length;
    const beforeResume = await exportAssets();
    expect(beforeResume, 'the kill landed in the middle of the scan').toBeGreaterThanOrEqual(1);
    expect(beforeResume).toBeLessThan(4);
    const resumed = await sitter('scan', 'again', '--workers', '1');
    expect(resumed.code, resumed.stdout).toBe(0);
    const audit = (await runSitter(['-w', ws, 'audit', 'export', '--shoot', 'again'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; subject: string });
    const perAsset = new Map<string, number>();
    for (const e of audit.filter((x) => x.action === 'scan.asset'))
      perAsset.set(e.subject, (perAsset.get(e.subject) ?? 0) + 1);
    expect([...perAsset.keys()].sort()).toEqual([
      'asset:IMG_0003.jpg',
      'asset:IMG_0004.jpg',
      'asset:day1/IMG_0001.jpg',
      'asset:day1/IMG_0002.jpg',
    ]);
    expect([...perAsset.values()].every((n) => n === 1)).toBe(true);
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true });
    expect(readdirSync(photos).filter((f) => f.endsWith('.xmp'))).toEqual([]);
  }, 240_000);

  it('a corrupt or truncated image is recorded and reported, and the scan goes on', async () => {
    const photos = join(tmp.dir, 'shoot2');
    const whole = readFileSync(join(photos, 'IMG_0004.jpg'));
    writeFileSync(join(photos, 'broken.jpg'), whole.subarray(0, Math.floor(whole.length / 3)));
    writeFileSync(
      join(photos, 'garbage.jpg'),
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 7)]),
    );
    const run = await sitter('scan', 'again', '--workers', '1');
    expect(run.code).toBe(1);
    const summary = run.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            failed?: { asset: string; code: string }[];
            unchanged?: number;
            noCaptureTime?: string[];
          },
      )
      .find((l) => l.type === 'summary');
    expect(summary?.unchanged).toBe(4);
    // The truncated copy still has its EXIF header, so it is analysed and fails; the garbage's header
    // cannot be read, so it fails when fetched: never held for a capture time a person would allow in vain.
    expect(summary?.failed?.map((f) => [f.asset, f.code]).sort()).toEqual([
      ['broken.jpg', expect.any(String)],
      ['garbage.jpg', 'IMAGE_UNREADABLE'],
    ]);
    expect(summary?.noCaptureTime).toEqual([]);
    const report = jsonOf(await sitter('report', 'again')) as {
      failures: { asset: string; error: string }[];
      todo: string[];
      assets: { noCaptureTime: number };
    };
    expect(report.failures.map((f) => f.asset).sort()).toEqual(['broken.jpg', 'garbage.jpg']);
    expect(report.assets.noCaptureTime).toBe(0);
    expect(report.failures.every((f) => f.error.length > 0)).toBe(true);
  }, 120_000);

  it('a confirmation does not carry over to a face at the same place that is now someone else', async () => {
    // An asset with a confirmed face and an unnamed person: paint the unnamed person's face over the
    // confirmed one (same place, a different person), as a retouch or a swapped photo would.
    const m = await matches();
    const target = m.assets.find(
      (x) => x.faces.some((g) => g.state === 'confirmed') && x.faces.some((g) => g.state === 'unidentified'),
    );
    expect(target, 'the demo has a photo with a confirmed face and an unnamed person').toBeDefined();
    const confirmed = target!.faces.find((g) => g.state === 'confirmed')!;
    const stranger = target!.faces.find((g) => g.state === 'unidentified')!;
    await paintFaceOver(join(shootDir, target!.asset), stranger.box, confirmed.box);
    const rescan = await runSitter(['-w', ws, 'scan', 'demo', '--workers', '1']);
    expect(rescan.code, rescan.stdout + rescan.stderr).toBe(0);

    const after = (await matches()).assets.find((x) => x.asset === target!.asset)!;
    // The confirmation did not travel to the stranger's face.
    expect(after.faces.some((g) => g.participant === confirmed.participant && g.state === 'confirmed')).toBe(false);
    const scanned = await scanEntry(target!.asset);
    const entry = scanned.details.carriedOver.find((c) => c.from === confirmed.face);
    // Whether the painted face counts as "the same place" is the detector's box against the old one
    // (SAME_FACE_CARRY_IOU); the paint stretches the stranger's head, so its box may come out larger.
    const toBox = (b: Box) => ({ x: b.x, y: b.y, w: b.w, h: b.h });
    const samePlace = after.faces.filter((g) => boxIou(toBox(g.box), toBox(confirmed.box)) >= SAME_FACE_CARRY_IOU);
    if (samePlace.length === 0) {
      expect(entry, 'no face at the same place: nothing is carried, and nothing claims to be').toBeUndefined();
    } else {
      expect(entry).toMatchObject({ carried: false, from: confirmed.face, confirmedBy: ['demo-reviewer'] });
      expect(entry!.decisions.length).toBeGreaterThan(0);
      // The face now at that place is the stranger's: it is whatever the matcher makes of it, never confirmed.
      const there = after.faces.find((g) => g.face === entry!.face)!;
      expect(there.state).not.toBe('confirmed');
      expect(entry!.outcome).toBe(there.state);
    }
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true });
  }, 180_000);
});

type Box = FaceJson['box'];

/** Copies the picture around one face box onto another box of the same photo, padded so the detector sees a whole face. */
async function paintFaceOver(file: string, from: Box, to: Box): Promise<void> {
  const bytes = readFileSync(file);
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const pad = 0.25;
  const px = (b: Box) => ({
    left: Math.round((b.x - b.w * pad) * width),
    top: Math.round((b.y - b.h * pad) * height),
    width: Math.round(b.w * (1 + 2 * pad) * width),
    height: Math.round(b.h * (1 + 2 * pad) * height),
  });
  const target = px(to);
  const patch = await sharp(bytes).extract(px(from)).resize(target.width, target.height, { fit: 'fill' }).toBuffer();
  writeFileSync(
    file,
    await sharp(bytes)
      .composite([{ input: patch, left: target.left, top: target.top }])
      .keepMetadata()
      .jpeg({ quality: 92 })
      .toBuffer(),
  );
}
