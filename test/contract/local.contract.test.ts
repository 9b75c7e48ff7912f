import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { runConnectorContract, skippedChecks, type ContractSubject } from '../../src/testing/connector-contract.js';
import { DIGIKAM_SIDECAR, makeImage, put, tempDir } from './fixtures.js';

/** The local connector on a folder with images, a non-image, a hidden file and an escaping link. */
async function makeLocalSubject(): Promise<ContractSubject> {
  const { dir, cleanup } = await tempDir('sitter-contract-local-');
  const root = path.join(dir, 'shoot');
  const outside = path.join(dir, 'elsewhere');
  await put(path.join(root, 'a.jpg'), await makeImage('jpeg'));
  await put(path.join(root, 'b.png'), await makeImage('png'));
  await put(path.join(root, 'day 2', 'c.webp'), await makeImage('webp'));
  await put(path.join(root, 'day 2', 'd.tiff'), await makeImage('tiff'));
  await put(path.join(root, 'day-3', 'e.JPG'), await makeImage('jpeg'));
  await put(path.join(root, 'notes.txt'), 'not an image');
  await put(path.join(root, '.hidden.jpg'), await makeImage('jpeg'));
  await put(path.join(outside, 'x.jpg'), await makeImage('jpeg'));
  await symlink(path.join(outside, 'x.jpg'), path.join(root, 'escape.jpg'));
  const sidecar = (id: string): string => path.join(root, `${id}.xmp`);
  const snapshot = (id: string): Promise<string | null> => readFile(sidecar(id), 'utf8').catch(() => null);
  let added = 0;
  return {
    connector: createLocalConnector(),
    source: root,
    cleanup,
    expectedAssetIds: ['a.jpg', 'b.png', 'day 2/c.webp', 'day 2/d.tiff', 'day-3/e.JPG'],
    foreignIds: ['escape.jpg', '.hidden.jpg', 'notes.txt', path.join(outside, 'x.jpg'), '../elsewhere/x.jpg'],
    snapshot,
    mutate: {
      add: async () => {
        const id = `day 2/added-${++added}.jpg`;
        await put(path.join(root, id), await makeImage('jpeg', 32, 24, { r: added, g: 0, b: 0 }));
        return id;
      },
      remove: (id) => rm(path.join(root, id)),
    },
    seedForeign: (id) => writeFile(sidecar(id), DIGIKAM_SIDECAR),
    foreignIntact: async (id) => {
      const text = (await snapshot(id)) ?? '';
      return [
        'People/Carol Other',
        'Events/Gala',
        'People|Carol Other',
        'xmp:Rating="4"',
        'mwg-rs:Name="Carol Other"',
        'MPReg:PersonDisplayName="Carol Other"',
        '<rdf:li>Gala</rdf:li>',
      ].every((s) => text.includes(s));
    },
    sitterConsentUris: async (id) => {
      const text = (await snapshot(id)) ?? '';
      const m = text.match(/<Iptc4xmpExt:PersonInImageWDetails>[\s\S]*?<\/Iptc4xmpExt:PersonInImageWDetails>/);
      return [...new Set((m?.[0] ?? '').match(/urn:sitter:consent:[^<"\s]+/g) ?? [])].sort();
    },
  };
}

runConnectorContract({ name: 'local', make: makeLocalSubject });

// The same connector with only what a subject must give: each check that needs a helper it left out
// is skipped, and said to be, rather than passing on `undefined === undefined` (issue 11).
runConnectorContract({
  name: 'local',
  variant: 'without optional helpers',
  make: async () => {
    const { connector, source, cleanup } = await makeLocalSubject();
    return { connector, source, cleanup };
  },
});

describe('the contract kit, for a subject without optional helpers', () => {
  it('skipped exactly the checks that need a helper, and ran the others', () => {
    expect(skippedChecks.get('connector contract: local (without optional helpers)')).toEqual([
      'pushing twice leaves the same bytes, and clearing gives back what was there (snapshot)',
      'a push refused as ASSET_CHANGED writes nothing (snapshot, sitterConsentUris)',
      "clearing leaves no Sitter entry and keeps other tools' metadata (seedForeign, foreignIntact, sitterConsentUris)",
      're-pushing fewer persons drops the others (sitterConsentUris)',
      'clears single persons when it declares partialClear (sitterConsentUris)',
      'keeps a listing correct when assets are added or removed between pages (mutate)',
      'waits out a burst of rate limiting instead of failing (faults)',
    ]);
    // a folder has no rate limit to fault: the one check the full subject cannot feed
    expect(skippedChecks.get('connector contract: local')).toEqual([
      'waits out a burst of rate limiting instead of failing (faults)',
    ]);
  });
});
