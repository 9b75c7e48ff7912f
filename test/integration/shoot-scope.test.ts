import { mkdirSync, readdirSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { tempDir } from '../helpers/workspace.js';

/** Issue 9, defect 9: open shoots never overlap, and no shoot covers a system folder or the workspace. */
describe('shoot create refuses a source that overlaps another open shoot, a system folder or the workspace', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ws = '';
  const folder = (name: string) => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const create = (id: string, source: string, env: Record<string, string> = {}, extra: string[] = []) =>
    runSitter(['-w', ws, '--json', ...createArgs(id, source), ...extra], { env });
  const refusal = async (id: string, source: string, env: Record<string, string> = {}, extra: string[] = []) => {
    const run = await create(id, source, env, extra);
    expect(run.code, run.stdout).toBe(1);
    return jsonOf(run).error as {
      code: string;
      message: string;
      hint: string;
      details?: { overlapsShoot: string; relation: string };
    };
  };

  beforeEach(async () => {
    tmp = tempDir('sitter-scope-');
    ws = join(tmp.dir, 'ws');
    expect((await runSitter(['-w', ws, 'init'])).code).toBe(0);
    expect((await create('first', folder('photos/spring'))).code).toBe(0);
  });
  afterEach(() => tmp.cleanup());

  it('the same folder, a folder inside it, around it, or a symlink to it: refused, naming the open shoot', async () => {
    expect(await refusal('same', join(tmp.dir, 'photos/spring'))).toMatchObject({
      code: 'SOURCE_OVERLAPS',
      message: expect.stringMatching(/is the same as .* of the open shoot "first"/),
      hint: expect.stringContaining('sitter shoot close first --yes'),
      details: { overlapsShoot: 'first', relation: 'same' },
    });
    expect(await refusal('inside', folder('photos/spring/day1'))).toMatchObject({
      code: 'SOURCE_OVERLAPS',
      details: { relation: 'inside' },
    });
    expect(await refusal('around', join(tmp.dir, 'photos'))).toMatchObject({
      code: 'SOURCE_OVERLAPS',
      details: { relation: 'around' },
    });
    symlinkSync(join(tmp.dir, 'photos/spring'), join(tmp.dir, 'link'));
    expect(await refusal('linked', join(tmp.dir, 'link'))).toMatchObject({
      code: 'SOURCE_OVERLAPS',
      details: { relation: 'same' },
    });
    // Another connector over the same folder reads the same photos.
    expect(await refusal('plugin', join(tmp.dir, 'photos/spring'), {}, ['--connector', 'json-sidecar'])).toMatchObject({
      code: 'SOURCE_OVERLAPS',
    });
    const shoots = jsonOf(await runSitter(['-w', ws, '--json', 'shoot', 'list'])) as { shoots: { shoot: string }[] };
    expect(shoots.shoots.map((s) => s.shoot)).toEqual(['first']);
  });

  it('a sibling folder with a similar name is its own scope, and a closed shoot no longer holds its folder', async () => {
    expect((await create('sibling', folder('photos/spring-2'))).code).toBe(0);
    expect((await runSitter(['-w', ws, 'shoot', 'close', 'first', '--yes'])).code).toBe(0);
    const reuse = await create('again', join(tmp.dir, 'photos/spring'));
    expect(reuse.code, reuse.stdout).toBe(0);
  });

  it('the file-system root, /proc, a home folder, the workspace and a folder around it are refused', async () => {
    expect(await refusal('root', '/')).toMatchObject({
      code: 'SOURCE_TOO_BROAD',
      hint: expect.stringContaining('--source'),
    });
    expect(await refusal('proc', '/proc')).toMatchObject({ code: 'SOURCE_TOO_BROAD' });
    const home = folder('home/ada');
    expect(await refusal('home', home, { HOME: home })).toMatchObject({ code: 'SOURCE_TOO_BROAD' });
    expect(await refusal('ws', ws)).toMatchObject({
      code: 'SOURCE_IS_WORKSPACE',
      message: expect.stringContaining('is inside the Sitter workspace'),
    });
    expect(await refusal('wskeys', join(ws, 'keys'))).toMatchObject({ code: 'SOURCE_IS_WORKSPACE' });
    expect(await refusal('parent', tmp.dir)).toMatchObject({
      code: 'SOURCE_IS_WORKSPACE',
      message: expect.stringContaining('contains the Sitter workspace'),
    });
  });

  it("a shoot's folder swapped for a symlink to another open shoot's folder after create is refused by the local connector (SOURCE_MOVED)", async () => {
    const x = folder('x');
    expect((await create('sx', x)).code).toBe(0);
    expect((await runSitter(['-w', ws, 'shoot', 'approve', 'sx', '--dpia', 'D-1', '--approved-by', 'Dora'])).code).toBe(
      0,
    );
    writeFileSync(join(tmp.dir, 'photos/spring/IMG_0001.jpg'), 'first shoot photo');
    rmdirSync(x);
    symlinkSync(join(tmp.dir, 'photos/spring'), x);
    const run = await runSitter(['-w', ws, '--json', 'push', 'sx']);
    expect(run.code).toBe(1);
    expect((jsonOf(run) as { failed: unknown[] }).failed).toEqual([
      expect.objectContaining({
        code: 'SOURCE_MOVED',
        message: expect.stringMatching(/^Connector "local": The shoot folder .*\/x now leads to .*\/photos\/spring/),
        hint: expect.stringContaining('remove the symlink'),
      }),
    ]);
    expect(readdirSync(join(tmp.dir, 'photos/spring'))).toEqual(['IMG_0001.jpg']);
  });

  it.each(['/proc/1', '/sys/kernel', '/etc/ssl', '/usr/share', '/dev/shm'])(
    'a folder inside a system tree (%s) is refused',
    async (source) => {
      expect(await refusal('sys', source)).toMatchObject({
        code: 'SOURCE_TOO_BROAD',
        message: expect.stringContaining(source),
      });
    },
  );
});
