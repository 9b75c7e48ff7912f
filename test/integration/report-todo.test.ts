import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { seedApprovedShoot, seedConfirmedFaces } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

interface Report {
  todo: string[];
  assets: { pushed: number; awaitingPush: number };
}

/**
 * Review finding: `report`'s to-do said "push" as long as any face was confirmed, even after a push
 * that found everything up to date. It says push only when a push has something to write: an asset
 * never pushed with a confirmed person, or one whose clearance facts changed after its last push.
 * Real CLI on a real workspace, seeded without models (the local connector writes the sidecars).
 */
describe('report asks for a push only when there is something to push', () => {
  let t: TestWorkspace;
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const report = async () => jsonOf(await sitter('report', 's')) as unknown as Report;
  const pushTodo = (r: Report) => r.todo.filter((line) => line.includes('sitter push'));

  beforeEach(async () => {
    t = await makeWorkspace(new Date()); // the CLI runs with the real clock
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Smith', consent: 'yes' },
      { id: 'P2', name: 'Ben Jones', consent: 'yes' },
    ]);
    await seedConfirmedFaces(t, 's', [
      ['a.jpg', 'P1', 0.1],
      ['b.jpg', 'P2', 0.3],
    ]);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('before the first push it says push; after a push, and after one that changed nothing, it does not; a later decision asks again', async () => {
    const before = await report();
    expect(before.assets.awaitingPush).toBe(2);
    expect(pushTodo(before)).toEqual(['push 2 assets not up to date in the DAM: sitter push s']);

    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 2, failed: [] });
    const after = await report();
    expect(after.assets).toMatchObject({ pushed: 2, awaitingPush: 0 });
    expect(pushTodo(after)).toEqual([]);

    // A push that finds the DAM up to date changes nothing, and the to-do still asks nothing of it.
    expect(jsonOf(await sitter('push', 's'))).toMatchObject({ written: 0, unchanged: 2 });
    expect(pushTodo(await report())).toEqual([]);
    const text = await runSitter(['--workspace', t.root, 'report', 's']);
    expect(text.stdout).not.toContain('sitter push');
    expect(text.stdout).toMatch(/2 pushed, 0 not up to date in the DAM/);

    // Undoing a confirmation after the push: the DAM names someone Sitter no longer confirms.
    expect((await sitter('decide', 's', '--undo', '--reviewer', 'Rita')).code).toBe(0);
    const undone = await report();
    expect(undone.assets.awaitingPush).toBe(1);
    expect(pushTodo(undone)).toEqual(['push 1 assets not up to date in the DAM: sitter push s']);
    expect((await sitter('push', 's')).code).toBe(0);
    expect(pushTodo(await report())).toEqual([]);
  });
});
