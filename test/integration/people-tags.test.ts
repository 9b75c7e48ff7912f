import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { PAIR_FACES, seedApprovedShoot, seedConfirmedFaces } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

type Raw = Record<string, unknown>;

/** The people fields of the photo tools, as ExifTool reads them. */
async function tagsOf(
  file: string,
): Promise<{ digiKam: unknown; lightroom: unknown; keywords: unknown; persons: unknown }> {
  const t = (await exiftool.readRaw(file, ['-XMP:all'])) as Raw;
  return { digiKam: t.TagsList, lightroom: t.HierarchicalSubject, keywords: t.Subject, persons: t.PersonInImage };
}

/**
 * Issue 14: people as digiKam, Lightroom and darktable show them (connector option `peopleTags`),
 * through the real CLI; every tag Sitter writes is in its ledger, so a withdrawal takes out exactly
 * those, and the user's own tags, including one identical to Sitter's written before it, stay.
 */
describe('people tags for the photo tools', () => {
  let t: TestWorkspace;
  let source = '';
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, ...args]);

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(
      t,
      's',
      [
        { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
        { id: 'P2', name: 'Ben Staying', consent: 'yes' },
      ],
      1,
      undefined,
      undefined,
      { name: 'local', options: { peopleTags: 'all' } },
    );
    source = await seedConfirmedFaces(t, 's', PAIR_FACES);
    // The user tagged a.jpg in their tools before Sitter came: Ada among them, by hand.
    await exiftool.write(join(source, 'a.jpg.xmp'), {
      'XMP-digiKam:TagsList': ['People/Ada Leaving', 'Events/Gala'],
      'XMP-lr:HierarchicalSubject': ['Events|Gala'],
      'XMP-dc:Subject': ['Gala'],
    } as never);
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('sitter connectors shows the option and its default', async () => {
    const run = await sitter('--json', 'connectors');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.stringify(jsonOf(run))).toMatch(
      /"key":"peopleTags","type":"\\"none\\" \| \\"digikam\\" \| \\"lightroom\\" \| \\"keywords\\" \| \\"all\\"","required":false,"secret":false,"default":"none"/,
    );
  });

  it("writes digiKam, Lightroom and keyword tags; a withdrawal removes exactly Sitter's, the user's own stay", async () => {
    const push = await sitter('push', 's');
    expect(push.code, push.stdout + push.stderr).toBe(0);
    expect(await tagsOf(join(source, 'a.jpg.xmp'))).toEqual({
      // Ada's digiKam tag was the user's already: not written twice.
      digiKam: ['People/Ada Leaving', 'Events/Gala', 'People/Ben Staying'],
      lightroom: ['Events|Gala', 'People|Ada Leaving', 'People|Ben Staying'],
      keywords: ['Gala', 'Ada Leaving', 'Ben Staying'],
      persons: ['Ada Leaving', 'Ben Staying'],
    });
    expect(await tagsOf(join(source, 'b.jpg.xmp'))).toEqual({
      digiKam: 'People/Ada Leaving',
      lightroom: 'People|Ada Leaving',
      keywords: 'Ada Leaving',
      persons: 'Ada Leaving',
    });

    const w = await sitter('withdraw', 's', 'P1');
    expect(w.code, w.stdout + w.stderr).toBe(0);
    // Sitter's statement is gone (clean), and the receipt says where the user's own tag still names her.
    expect(w.stdout).toMatch(/verified in source: +clean/);
    expect(w.stdout).toMatch(/still named by text Sitter did not write.*a\.jpg\.xmp/);
    expect(await tagsOf(join(source, 'a.jpg.xmp'))).toEqual({
      // The user's own "People/Ada Leaving" is theirs to remove: Sitter never wrote it.
      digiKam: ['People/Ada Leaving', 'Events/Gala', 'People/Ben Staying'],
      lightroom: ['Events|Gala', 'People|Ben Staying'],
      keywords: ['Gala', 'Ben Staying'],
      persons: 'Ben Staying',
    });
    // b.jpg's sidecar was Sitter's alone: it is gone with the last name in it.
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);

    // Erasure's proof reads the sidecar back and says the user's own tag still names Ada: not Sitter's to remove.
    const erase = await sitter('--json', 'erase', 's', 'P1');
    expect(erase.code, erase.stdout + erase.stderr).toBe(1);
    expect((jsonOf(erase) as { verification: { traces: unknown[] } }).verification.traces).toEqual([
      { place: join(source, 'a.jpg.xmp'), what: 'name' },
    ]);

    // Turning the option off takes Sitter's remaining tags out at the next push, and only them.
    const off = await sitter('shoot', 'configure', 's', '--option', 'peopleTags=none');
    expect(off.code, off.stdout + off.stderr).toBe(0);
    const again = await sitter('push', 's');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Brought up to date: 1 asset \(the DAM said something else: 1\)/);
    expect(await tagsOf(join(source, 'a.jpg.xmp'))).toEqual({
      digiKam: ['People/Ada Leaving', 'Events/Gala'],
      lightroom: 'Events|Gala',
      keywords: 'Gala',
      persons: 'Ben Staying',
    });
  });
});
