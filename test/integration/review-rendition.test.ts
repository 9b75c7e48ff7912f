import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { givenConnector } from '../../src/app/given-providers.js';
import type { FetchedAsset, FetchOptions } from '../../src/core/ports/connector.js';
import type { AppGateway } from '../../src/tui/app/gateway.js';
import { openAppGateway } from '../../src/tui/app/workspace-gateway.js';
import { FakeDamConnector, FakeSource } from '../helpers/fakes.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * The review app's crops through a contract-3 DAM: a 1600 px rendition at interactive priority (ahead
 * of a scan in the connector's budget), cropped by the rendition's own size (boxes are relative).
 */
describe('the review app fetches a rendition for its crops', () => {
  let t: TestWorkspace;
  let gateway: AppGateway | undefined;
  beforeEach(async () => {
    t = await makeWorkspace(new Date());
  });
  afterEach(async () => {
    await gateway?.close();
    await t.cleanup();
  });

  it('asks for { rendition: { maxDimension: 1600 }, priority: interactive } and crops the rendition by its own size', async () => {
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    // The record's frame is 100x100; the DAM hands over a 1600x1200 rendition, red where the face box is.
    await seedProposal(t, 's', 'a.jpg', 'P1', 0.8, { x: 0.5, y: 0.5, w: 0.25, h: 0.25 });
    const face = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const rendition = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#fff' } })
      .composite([{ input: face, left: 800, top: 600 }])
      .jpeg()
      .toBuffer();
    const dam = new FakeDamConnector(new FakeSource([{ id: 'a.jpg', faces: [] }]));
    const asked: FetchOptions[] = [];
    dam.fetch = async (_source: string, assetId: string, options: FetchOptions = {}): Promise<FetchedAsset> => {
      asked.push(options);
      const asset = { id: assetId, fileName: assetId, modifiedAt: new Date() };
      return {
        asset,
        bytes: rendition,
        contentHash: `sha256:${'0'.repeat(64)}`,
        mediaType: 'image/jpeg',
        rendition: options.rendition!,
      };
    };
    gateway = await openAppGateway({
      workspace: t.root,
      reviewer: 'Rita',
      providers: { connectors: givenConnector(dam) },
    });
    const { items } = await gateway.loadQueue('s');
    const picture = await gateway.faceImage('s', items[0]!, 40, 40);
    expect(asked).toEqual([{ rendition: { maxDimension: 1600 }, priority: 'interactive' }]);
    // The crop is cut by the rendition's own size: its middle is the face (red), not white paper.
    const middle = (20 * 40 + 20) * 3;
    expect([...picture.pixels.data.subarray(middle, middle + 3)].map((v) => Math.round(v / 64))).toEqual([4, 0, 0]);
  }, 60_000);
});
