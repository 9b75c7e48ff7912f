import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { auditEntries } from '../helpers/shoot-cli.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

interface ScanSummary {
  type: 'summary';
  failed: { asset: string; code: string; message: string }[];
  notImages: { asset: string; reason: string; message: string }[];
  noCaptureTime: string[];
}

/**
 * A file named like a camera RAW whose content is not one (review finding): RAW files are recognised
 * by content, so a `.nef` of garbage is judged like any other file. Whose first bytes say nothing
 * is not an image; whose first bytes look like a JPEG or TIFF but whose header no decoder reads is
 * IMAGE_UNREADABLE when it is fetched, named, never held for a capture time a person would be asked
 * to allow only to see it fail. No face model is needed: nothing reaches the engine.
 */
describe('a garbage .nef through the real scan', () => {
  let t: TestWorkspace;
  const out = tempDir('sitter-unreadable-');
  const sitter = (...args: string[]) => runSitter(['-w', t.root, '--json', ...args]);
  const summaryOf = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ScanSummary)
      .find((l) => l.type === 'summary');
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await makeWorkspace(new Date());
    const photos = join(t.root, '..', 'photos');
    mkdirSync(photos);
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }], 1, photos, {
      from: day(-1),
      to: day(1),
      utcOffset: '+00:00',
    });
    await seedTemplate(t, 's', 'P1', [0.3, 0.4, 0.5], DEFAULT_CALIBRATION.modelDigest);
    // A TIFF header (as NEF files have) over garbage; a JPEG marker over garbage; garbage alone.
    const tiffHead = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
    writeFileSync(join(photos, 'DSC_0001.nef'), Buffer.concat([tiffHead, Buffer.alloc(6000, 0x5a)]));
    writeFileSync(
      join(photos, 'DSC_0002.NEF'),
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 7)]),
    );
    writeFileSync(join(photos, 'DSC_0003.nef'), Buffer.alloc(6000, 0x5a));
  }, 60_000);
  afterAll(async () => {
    await t.cleanup();
    out.cleanup();
  });

  it('is IMAGE_UNREADABLE at once, naming the file and why, and is never held for a capture time', async () => {
    const run = await sitter('scan', 's');
    expect(run.code).toBe(1);
    const summary = summaryOf(run.stdout);
    expect(summary?.noCaptureTime).toEqual([]);
    expect(summary?.failed.map((f) => [f.asset, f.code]).sort()).toEqual([
      ['DSC_0001.nef', 'IMAGE_UNREADABLE'],
      ['DSC_0002.NEF', 'IMAGE_UNREADABLE'],
    ]);
    const byAsset = new Map(summary?.failed.map((f) => [f.asset, f.message]));
    expect(byAsset.get('DSC_0001.nef')).toMatch(
      /"DSC_0001\.nef" cannot be read: it starts like a TIFF image but its header is damaged \(.+\)\. It is named like a camera RAW, but its content is not one/,
    );
    expect(byAsset.get('DSC_0002.NEF')).toMatch(/"DSC_0002\.NEF" cannot be read: it starts like a JPEG image/);
    expect(summary?.notImages).toEqual([
      expect.objectContaining({
        asset: 'DSC_0003.nef',
        reason: 'not-an-image',
        message: expect.stringContaining('named like a camera RAW, but its content is not one') as unknown,
      }),
    ]);

    const entries = await auditEntries(sitter, join(out.dir, 'audit.jsonl'));
    expect(entries.filter((e) => e.action === 'scan.asset-held')).toEqual([]);
    const failed = entries.filter((e) => e.action === 'scan.asset-failed');
    expect(failed.map((e) => e.details.code)).toEqual(['IMAGE_UNREADABLE', 'IMAGE_UNREADABLE']);
    expect(failed.every((e) => typeof e.details.hint === 'string' && /complete copy/.test(e.details.hint))).toBe(true);

    const report = jsonOf(await sitter('report', 's')) as {
      failures: { asset: string; error: string }[];
      assets: { noCaptureTime: number };
    };
    expect(report.assets.noCaptureTime).toBe(0);
    expect(report.failures.map((f) => f.asset).sort()).toEqual(['DSC_0001.nef', 'DSC_0002.NEF']);

    // The text a person reads names the file and says it is not a RAW.
    const text = await runSitter(['-w', t.root, 'scan', 's']);
    expect(text.stdout + text.stderr).toMatch(/DSC_0001\.nef.*cannot be read/);
  }, 120_000);
});
