/**
 * The local connector's `sidecarNaming`, set from the CLI (issue 11): Lightroom users want
 * `photo.xmp` next to `photo.jpg`, not `photo.jpg.xmp`. Through the real CLI on a real workspace,
 * read back with exiftool as a DAM or Lightroom would read it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideFace } from '../../src/core/services/decision-service.js';
import { configureShoot } from '../../src/core/services/shoot-config-service.js';
import { readFileSync } from 'node:fs';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

describe('sidecar naming set with shoot configure', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);

  beforeEach(async () => {
    // The CLI runs on the system clock: seed with the real time so the shoot is within its retention.
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada Lightroom', consent: 'yes' }]);
    source = join(t.root, '..');
    mkdirSync(source, { recursive: true });
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
      .jpeg()
      .toFile(join(source, 'photo.jpg'));
    const face = await seedProposal(t, 's', 'photo.jpg', 'P1', 0.8);
    await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('sidecarNaming=replace makes push write photo.xmp (read back by exiftool), and no photo.jpg.xmp', async () => {
    const configured = await sitter('shoot', 'configure', 's', '--option', 'sidecarNaming=replace');
    expect(configured.code).toBe(0);
    expect(jsonOf(configured)).toMatchObject({ connectorOptions: { sidecarNaming: 'replace' } });

    const push = await sitter('push', 's');
    expect(push.code).toBe(0);
    expect(jsonOf(push)).toMatchObject({ written: 1 });
    expect(existsSync(join(source, 'photo.jpg.xmp'))).toBe(false);
    const tags = (await exiftool.read(join(source, 'photo.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ada Lightroom']);
  }, 120_000);

  it('without the option, the default stays photo.jpg.xmp', async () => {
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    expect(existsSync(join(source, 'photo.xmp'))).toBe(false);
    const tags = (await exiftool.read(join(source, 'photo.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ada Lightroom']);
  }, 120_000);

  it('shoot configure refuses to change sidecarNaming while a push record names a place; the old sidecar stays reachable', async () => {
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    const refused = await sitter('shoot', 'configure', 's', '--option', 'sidecarNaming=replace');
    expect(refused.code).not.toBe(0);
    expect(jsonOf(refused)).toMatchObject({ error: { code: 'OPTION_FIXED_ONCE_PUSHED' } });
    expect(JSON.stringify(jsonOf(refused))).toMatch(/withdraw|new shoot/);
    // Nothing changed: the next withdrawal clears the sidecar push wrote.
    expect(jsonOf(await sitter('shoot', 'show', 's'))).not.toMatchObject({
      connectorOptions: { sidecarNaming: 'replace' },
    });
    expect((await sitter('withdraw', 's', 'P1')).code).toBe(0);
    const oldSidecar = join(source, 'photo.jpg.xmp');
    if (existsSync(oldSidecar)) expect(readFileSync(oldSidecar, 'utf8')).not.toContain('Ada Lightroom');
    // Once no place names anyone, the naming may change.
    expect((await sitter('shoot', 'configure', 's', '--option', 'sidecarNaming=replace')).code).toBe(0);
  }, 120_000);

  it('a naming changed after a push (as older Sitter allowed): the old place stays on record and erase does not report clean', async () => {
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    // Older Sitter let this through: the service without the connector's placement keys does too.
    await configureShoot(t.ctx, 's', () => ({ sidecarNaming: 'replace' }));
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 1 });
    const old = (await exiftool.read(join(source, 'photo.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(old.PersonInImage).toEqual(['Ada Lightroom']);
    const erase = await sitter('erase', 's', 'P1');
    expect(erase.code).toBe(1);
    const traces = JSON.stringify((jsonOf(erase) as { verification: unknown }).verification);
    expect(traces).toContain('"clean":false');
    expect(traces).toContain('photo.jpg.xmp');
  }, 120_000);
});
