import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/services/context.js';
import type { OpenWorkspace } from '../../src/core/store/workspace.js';
import { CLI, runSitter } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import type { TmuxSession } from './tui-helpers.js';
import { adaAndBen, appLauncher, buildShoot, hasTmux, openNewWorkspace, risingFace } from './tui-helpers.js';

/**
 * Issue 15: the review app never shows a face another reviewer has just decided as still open. The
 * app runs in a real terminal (tmux) on a SQLite workspace while a second process, the real CLI,
 * decides faces of the same shoot, as a colleague's `sitter decide` would on the same machine.
 */
describe.skipIf(!hasTmux)('the review app sees decisions made by another process (tmux + CLI)', () => {
  const tmp = tempDir('sitter-tui-elsewhere-');
  const wsDir = join(tmp.dir, 'ws');
  let ws: OpenWorkspace;
  let ctx: ServiceContext;
  let faces: number[] = [];
  const sessions: TmuxSession[] = [];

  const app = appLauncher(CLI, wsDir, tmp.dir, sessions);
  const bob = (...args: string[]) => runSitter(['-w', wsDir, 'decide', 'team', ...args, '--reviewer', 'bob']);
  const decisionsOn = (face: number) => ws.store.transaction((uow) => uow.decisions.listByFace(face));
  const stateOf = async (face: number) => (await ws.store.transaction((uow) => uow.faces.find(face)))?.state;

  beforeAll(async () => {
    ({ ws, ctx } = await openNewWorkspace(wsDir));
    const people = await adaAndBen();
    const face = risingFace;
    faces = (
      await buildShoot(ctx, tmp.dir, 'team', {
        reviewers: 1,
        people,
        assets: [1, 2, 3, 4, 5, 6].map((i) => ({ file: `t${i}.png`, faces: [face(i % 2 ? 'P1' : 'P2', i)] })),
      })
    ).faces;
  });

  afterAll(async () => {
    for (const s of sessions) s.kill();
    await ws?.close();
    tmp.cleanup();
  });

  it('skips, with who and when, the face on screen and the next one once another process decides them', async () => {
    const [f1, f2, f3, f4] = faces;
    const s = app(['review', 'team', '--reviewer', 'alice'], { cols: 120 });
    await s.waitFor(new RegExp(`face ${f1} ·`));
    expect(s.screen()).toMatch(/1 \/ 6 · 6 left/);

    // bob confirms the face alice is looking at: within the poll (2 s) it leaves her screen.
    expect((await bob(String(f1), '--confirm')).code).toBe(0);
    let screen = await s.waitFor(new RegExp(`face ${f2} ·`), 8000);
    // the notice may be drawn in the frame after the face changed (a loaded machine draws less often)
    screen = await s.waitFor(new RegExp(`Face ${f1} was confirmed by bob (just now|\\d+ s ago): skipped`), 8000);
    expect(screen).toMatch(/1 \/ 5 · 5 left/);

    // bob rejects the face after hers; her confirmation of f2 must not land her on f3.
    expect((await bob(String(f3), '--reject')).code).toBe(0);
    s.send('y');
    screen = await s.waitFor(new RegExp(`face ${f4} ·`), 8000);
    await s.waitFor(new RegExp(`Face ${f3} was rejected by bob (just now|\\d+ s ago): skipped`), 8000);
    s.send('q');
    await s.waitFor(/\[exited 0\]/);

    expect((await decisionsOn(f1!)).map((d) => d.reviewer)).toEqual(['bob']);
    expect((await decisionsOn(f2!)).map((d) => d.reviewer)).toEqual(['alice']);
    expect((await decisionsOn(f3!)).map((d) => [d.reviewer, d.action])).toEqual([['bob', 'reject']]);
    expect(await stateOf(f4!)).toBe('proposed');
  });

  it('refuses a decision on a face decided elsewhere after the screen showed it, and applies nothing', async () => {
    const [, , , f4, f5] = faces;
    // No poll before the key: the decision itself must be refused by the service.
    const s = app(['review', 'team', '--reviewer', 'carol'], {
      cols: 120,
      env: { SITTER_REVIEW_POLL_MS: '600000' },
    });
    await s.waitFor(new RegExp(`face ${f4} ·`));

    expect((await bob(String(f4), '--confirm')).code).toBe(0);
    s.send('n'); // carol rejects what she still sees as a proposal
    const screen = await s.waitFor(/FACE_DECIDED_ELSEWHERE/, 8000);
    expect(screen).toMatch(
      new RegExp(
        `Face ${f4} was confirmed by bob (just now|\\d+ s ago), after you saw it: your rejection was not applied`,
      ),
    );
    expect(screen).toContain(`face ${f5} ·`);
    s.send('q');
    await s.waitFor(/\[exited 0\]/);

    // One decision on the face, bob's: carol's rejection was never applied on top of it.
    expect((await decisionsOn(f4!)).map((d) => [d.reviewer, d.action])).toEqual([['bob', 'confirm']]);
    expect(await stateOf(f4!)).toBe('confirmed');
    const audit = await ws.store.transaction((uow) => uow.audit.all());
    expect(audit.filter((e) => e.subject === `face:${f4}`).map((e) => e.actor)).toEqual(['bob']);
  });
});
