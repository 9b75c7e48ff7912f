import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { runConnectorContract } from './connector-contract.js';
import { DIGIKAM_SIDECAR, makeImage, put, tempDir } from './fixtures.js';

runConnectorContract({
  name: 'local',
  make: async () => {
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
    return {
      connector: createLocalConnector(),
      source: root,
      cleanup,
      expectedAssetIds: ['a.jpg', 'b.png', 'day 2/c.webp', 'day 2/d.tiff', 'day-3/e.JPG'],
      foreignIds: ['escape.jpg', '.hidden.jpg', 'notes.txt', path.join(outside, 'x.jpg'), '../elsewhere/x.jpg'],
      snapshot,
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
  },
});
