/**
 * Rule 6 on a plugin DAM: a withdrawal through the real services, with the ResourceSpace plugin made
 * as a shoot makes it (loaded from plugins/, options checked, key resolved by name) against its fake
 * server. The withdrawn person leaves the fields Sitter wrote; the person who stays, and the text
 * another user put in a field Sitter does not own, stay; the read-back names nobody withdrawn.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectShoot } from '../../src/connectors/configure.js';
import { loadPlugins } from '../../src/connectors/plugins.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import type { Connector } from '../../src/core/ports/connector.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { withdrawConsent } from '../../src/core/services/withdraw-service.js';
import { startFakeHttpServer, type FakeHttpServer } from '../../src/testing/fake-http.js';
import { createFakeResourceSpace, FAKE_RS_FIELDS } from '../../plugins/resourcespace/test/fake-resourcespace.js';
import { makeImage } from '../contract/fixtures.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const PLUGINS = resolve(import.meta.dirname, '../../plugins');
const F = FAKE_RS_FIELDS;

describe('rule 6 on ResourceSpace: a withdrawal clears only the withdrawn person from the fields Sitter wrote', () => {
  let t: TestWorkspace;
  let server: FakeHttpServer;
  let connector: Connector;
  const fake = createFakeResourceSpace();
  let refs: number[] = [];

  beforeEach(async () => {
    t = await makeWorkspace();
    server = await startFakeHttpServer(fake.handler);
    const options = {
      baseUrl: server.url,
      user: 'sitter',
      privateKey: 'secret:rs-key',
      consentRefsField: 'sitterconsent',
      participantsField: 'sitterparticipants',
      faceRegionsField: 'sitterfaces',
      usageClearanceField: 'sitterclearance',
    };
    await seedApprovedShoot(
      t,
      's',
      [
        { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
        { id: 'P2', name: 'Ben Staying', consent: 'yes' },
      ],
      1,
      'collection:12',
      undefined,
      { name: 'resourcespace', options },
    );
    refs = [];
    for (let i = 0; i < 2; i++) {
      const bytes = await makeImage('jpeg', 64, 48, { r: 100 + i, g: 100, b: 100 });
      refs.push(fake.addResource({ bytes, collections: [12] }));
      // seedProposal records the content hash of a same-named file beside the workspace, as a scan would.
      writeFileSync(join(t.root, '..', String(refs[i])), bytes);
    }
    fake.setField(refs[0]!, F.caption, 'Gala dinner, table 4');
    const registry = builtinRegistry();
    await loadPlugins(PLUGINS, registry);
    connector = await connectShoot(
      registry,
      { connector: 'resourcespace', connectorOptions: options },
      { lookup: async () => fake.keyOf('sitter') },
    );
    // P1 and P2 on the first photo, P1 alone on the second; confirmed and pushed.
    for (const [asset, who, x] of [
      [refs[0], 'P1', 0.1],
      [refs[0], 'P2', 0.6],
      [refs[1], 'P1', 0.3],
    ] as const) {
      const face = await seedProposal(t, 's', String(asset), who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
      await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    }
    const pushed = await pushShoot(t.ctx, connector, 's');
    expect(pushed.written).toBe(2);
  });
  afterEach(async () => {
    await connector.close?.();
    await server.close();
    await t.cleanup();
  });

  it('removes Ada from both photos, keeps Ben and the caption, and the read-back names her nowhere', async () => {
    expect(fake.fieldValue(refs[0]!, F.participants)).toBe('Ada Leaving; Ben Staying');
    expect(fake.fieldValue(refs[1]!, F.participants)).toBe('Ada Leaving');

    const receipt = await withdrawConsent(t.ctx, connector, 's', 'P1');
    expect(receipt.damFailures).toEqual([]);
    expect(receipt.damUpdates.map((u) => [u.asset, u.action]).sort()).toEqual([
      [String(refs[0]), 'written'],
      [String(refs[1]), 'cleared'],
    ]);

    expect(fake.fieldValue(refs[0]!, F.participants)).toBe('Ben Staying');
    expect(fake.fieldValue(refs[0]!, F.consentRefs)).toMatch(/^#sitter v1 otherFaces=1\n[^\n]*P2/);
    expect(fake.fieldValue(refs[0]!, F.usageClearance)).toBe('limited');
    expect(fake.fieldValue(refs[0]!, F.caption)).toBe('Gala dinner, table 4');
    for (const field of [F.consentRefs, F.participants, F.faceRegions, F.usageClearance])
      expect(fake.fieldValue(refs[1]!, field)).toBe('');
    for (const ref of refs) {
      const written = await connector.readWritten!('collection:12', String(ref));
      expect(JSON.stringify(written)).not.toContain('Ada Leaving');
      expect(JSON.stringify(written)).not.toContain(':P1');
    }
  });
});
