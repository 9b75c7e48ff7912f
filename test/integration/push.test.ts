import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const roster = [
  { id: 'P1', name: 'Ada Proposed', consent: 'yes' as const },
  { id: 'P2', name: 'Ben Confirmed', consent: 'yes' as const },
];

describe('push: nothing reaches the DAM unconfirmed (rule 5)', () => {
  let t: TestWorkspace;
  let source = '';
  beforeEach(async () => {
    t = await makeWorkspace();
    await seedApprovedShoot(t, 's', roster);
    // seedApprovedShoot uses the workspace's parent folder as the shoot source.
    source = join(t.root, '..');
    mkdirSync(source, { recursive: true });
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } })
      .jpeg()
      .toFile(join(source, 'a.jpg'));
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('writes confirmed persons only, idempotently, and clears when the last confirmed person is rejected', async () => {
    const connector = wrapConnector(createLocalConnector({}));
    await seedProposal(t, 's', 'a.jpg', 'P1', 0.8, { x: 0.1, y: 0.1, w: 0.2, h: 0.3 });
    const confirmed = await seedProposal(t, 's', 'a.jpg', 'P2', 0.8, { x: 0.6, y: 0.1, w: 0.2, h: 0.3 });
    expect((await pushShoot(t.ctx, connector, 's')).written).toBe(0);
    expect(existsSync(join(source, 'a.jpg.xmp'))).toBe(false);

    await decideFace(t.ctx, 's', confirmed.id, { kind: 'confirm' }, 'Rita');
    const first = await pushShoot(t.ctx, connector, 's');
    expect(first).toMatchObject({ written: 1, persons: 1 });
    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ben Confirmed']);
    expect(JSON.stringify(tags)).not.toContain('Ada Proposed');
    expect(await pushShoot(t.ctx, connector, 's')).toMatchObject({ written: 0, unchanged: 1 });

    await decideFace(t.ctx, 's', confirmed.id, { kind: 'reject' }, 'Rita');
    expect(await pushShoot(t.ctx, connector, 's')).toMatchObject({ cleared: 1 });
    expect(existsSync(join(source, 'a.jpg.xmp'))).toBe(false);
  });
});
