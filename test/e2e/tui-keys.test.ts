import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/services/context.js';
import { loadMatches } from '../../src/core/services/matches-service.js';
import type { OpenWorkspace } from '../../src/core/store/workspace.js';
import { CLI } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import type { TmuxSession } from './tui-helpers.js';
import { adaAndBen, appLauncher, buildShoot, hasTmux, openNewWorkspace, risingFace } from './tui-helpers.js';

/**
 * The keys reviewers know from lazygit, k9s and tig, in a real terminal (tmux): several keys in one
 * chunk, `?` on every screen, `/` filter, g/G, the position, Esc and q; the home legend at 80
 * columns; faces as big as a 200x60 terminal allows. Proposals are seeded without the engine.
 */
describe.skipIf(!hasTmux)('the review app keys in a real terminal (tmux)', () => {
  const tmp = tempDir('sitter-tui-keys-');
  const wsDir = join(tmp.dir, 'ws');
  let ws: OpenWorkspace;
  let ctx: ServiceContext;
  let faces: number[] = [];
  const sessions: TmuxSession[] = [];

  const app = appLauncher(CLI, wsDir, tmp.dir, sessions);
  const exited = (s: TmuxSession) => s.waitFor(/\[exited (\d+)\]/);
  const decisionsOn = (face: number) => ws.store.transaction((uow) => uow.decisions.listByFace(face));

  beforeAll(async () => {
    ({ ws, ctx } = await openNewWorkspace(wsDir));
    const people = await adaAndBen();
    const face = risingFace;
    faces = (
      await buildShoot(ctx, tmp.dir, 'keys', {
        reviewers: 1,
        people,
        assets: [
          { file: 'a1.png', faces: [face('P1', 1)] },
          { file: 'a2.png', faces: [face('P2', 2)] },
          { file: 'a3.png', faces: [face('P1', 3)] },
          { file: 'a4.png', faces: [face('P2', 4)] },
          { file: 'a5.png', faces: [face('P1', 5)] },
          { file: 'a6.png', faces: [face('P1', 6)] },
        ],
      })
    ).faces;
  });

  afterAll(async () => {
    for (const s of sessions) s.kill();
    await ws?.close();
    tmp.cleanup();
  });

  it('takes every key of a chunk in order, and never decides one face twice', async () => {
    const [f1, f2, f3, f4, f5, f6] = faces;
    const s = app(['review', 'keys', '--reviewer', 'A']);
    await s.waitFor(new RegExp(`face ${f1} ·`));
    expect(s.screen()).toMatch(/1 \/ 6 · 6 left/);

    s.sendTogether('l', 'l'); // tmux send-keys l l
    let screen = await s.waitFor(new RegExp(`face ${f3} ·`));
    expect(screen).toMatch(/3 \/ 6 · 6 left/);

    s.send('jjy'); // one literal string: next, next, confirm (face 5)
    screen = await s.waitFor(new RegExp(`Confirmed P1 on face ${f5}\\.`));
    expect(screen).toContain(`face ${f6} ·`);

    s.send('yy'); // confirm face 6, then the next one (the queue wraps to face 1)
    screen = await s.waitFor(new RegExp(`Confirmed P1 on face ${f1}\\.`));
    expect(screen).toContain(`face ${f2} ·`);
    expect(screen).toMatch(/1 \/ 3 · 3 left/);
    s.send('q');
    expect(await exited(s)).toMatch(/\[exited 0\]/);

    const m = await loadMatches(ctx, 'keys');
    const state = new Map(m.assets.flatMap((a) => a.faces.map((f) => [f.face, f.state] as const)));
    expect([f1, f2, f3, f4, f5, f6].map((f) => state.get(f!))).toEqual([
      'confirmed',
      'proposed',
      'proposed',
      'proposed',
      'confirmed',
      'confirmed',
    ]);
    for (const f of [f1, f5, f6]) expect(await decisionsOn(f!)).toHaveLength(1);
    for (const f of [f2, f3, f4]) expect(await decisionsOn(f!)).toHaveLength(0);
  });

  it('filters the queue with / (participant, file, state), moves with g/G, and Esc clears', async () => {
    const [, f2, f3, f4] = faces;
    const s = app(['review', 'keys', '--reviewer', 'B']);
    await s.waitFor(new RegExp(`face ${f2} ·`));
    await s.press('/', /participant, file or state/);
    let screen = await s.press('ben', /filter "ben" · 1 \/ 2 · 3 left/);
    expect(screen).toContain(`face ${f2} ·`);
    await s.press('Enter', /filter "ben"/);
    screen = await s.press('G', new RegExp(`face ${f4} ·`));
    expect(screen).toMatch(/filter "ben" · 2 \/ 2/);
    await s.press('g', new RegExp(`face ${f2} ·`));
    screen = await s.press('Escape', /1 \/ 3 · 3 left/);
    expect(screen).not.toContain('filter "');

    await s.press('/', /participant, file or state/);
    screen = await s.press('a3', new RegExp(`filter "a3" · 1 \\/ 1[\\s\\S]*face ${f3} ·`));
    s.send('BSpace', 'BSpace');
    await s.waitFor((t) => !t.includes('filter "') && /2 \/ 3 · 3 left/.test(t));
    screen = await s.press('proposed', /filter "proposed" · \d \/ 3/);
    await s.press('Escape', /1 \/ 3 · 3 left|\d \/ 3 · 3 left/);
    screen = await s.press('/', /participant, file or state/);
    screen = await s.press('nobody', /No proposal left matches "nobody"/);
    await s.press('Escape', new RegExp(`face ${f2} ·`));
    s.send('q');
    expect(await exited(s)).toMatch(/\[exited 0\]/);
  });

  it('? lists every key on home, shoot, review and the picker; Esc backs out; q quits from a sub-screen', async () => {
    const s = app([], { env: { SITTER_ACTOR: 'dana' } });
    await s.waitFor(/Sitter · shoots[\s\S]*keys/);
    let screen = await s.press('?', /select the next \/ previous shoot/);
    for (const k of ['j / k', 'g / G', 'Enter', 'v ', 'r ', '? / Esc', 'q ']) expect(screen).toContain(k);
    screen = await s.press('Escape', /j\/k select · Enter open/);
    expect(screen).not.toContain('select the next / previous shoot');

    await s.press('Enter', /Shoot keys: Shoot keys \[approved\][\s\S]*\? help/);
    // The key the instant the new screen shows, no wait: the app's one input listener outlives the
    // screens (widgets/key-router.ts), so a key typed right after a switch reaches the new one.
    screen = await s.press('?', /review the proposals/);
    for (const k of ['enrol', 'scan the photos', 'push the confirmed', 'report', 'refresh', 'Esc'])
      expect(screen).toContain(k);
    screen = await s.press('Escape', /Shoot keys/);
    expect(screen).not.toContain('review the proposals');

    await s.press('v', /Sitter review · keys · dana/);
    screen = await s.press('?', /l j → \/ h k ←/);
    for (const k of ['y / Enter', 'g / G', 'filter by participant', 'u ', 'b ', 'Esc', 'q / Ctrl-C'])
      expect(screen).toContain(k);
    s.send('x'); // any key closes the review help
    await s.waitFor((t) => !t.includes('l j → / h k ←') && t.includes('y/⏎ confirm'));

    await s.press('a', /Assign to \(valid biometric/);
    screen = await s.press('?', /Picker keys/);
    expect(screen).toMatch(/Enter\s+choose/);
    await s.press('Escape', /› Ada Model \(P1\)/);
    await s.press('Escape', /y\/⏎ confirm · n reject/);

    // q from the review queue two screens deep leaves the app
    s.send('q');
    expect(await exited(s)).toMatch(/\[exited 0\]/);
  });

  it('the home screen and its help fit 80 columns', async () => {
    const s = app([], { cols: 80, rows: 24 });
    let screen = await s.waitFor(/Sitter · shoots[\s\S]*keys/);
    expect(screen).toMatch(/j\/k select · Enter open · v review · r refresh · \? help · q quit/);
    screen = await s.press('?', /UNID unidentified faces/);
    expect(screen).toMatch(/ELIG eligible for matching · PHOTO photos only · WDRN withdrawn/);
    for (const line of screen.split('\n')) {
      expect([...line].length).toBeLessThanOrEqual(80);
      expect(line).not.toMatch(/…\s*$/); // nothing cut short
    }
    s.send('q');
    await exited(s);
  });

  it('draws sixel images where the terminal takes them (SITTER_IMAGES=sixel), over empty picture boxes', async () => {
    const out = join(tmp.dir, 'sixel-output.bin');
    const s = app(['review', 'keys', '--reviewer', 'D'], { env: { SITTER_IMAGES: 'sixel' } });
    s.recordOutput(out);
    await s.waitFor(/Sitter review · keys · D/);
    // two 22x11-cell boxes at 80x24, cut at 8x16 pixels a cell: 176x176 pixels each
    const sixel = '\u001bP0;1;0q"1;1;176;176';
    const written = await s.waitFor(() => existsSync(out) && readFileSync(out, 'latin1').split(sixel).length - 1 >= 2);
    expect(written).not.toContain('▀'); // no half blocks under the images
    s.send('q');
    await exited(s);
  });

  it('draws the face and the reference at one scale, as big as a 200x60 terminal allows', async () => {
    const s = app(['review', 'keys', '--reviewer', 'C'], { cols: 200, rows: 60 });
    // per screen line, the widths of its runs of half blocks (one per picture)
    const runs = (t: string) =>
      t
        .split('\n')
        .map((l) => (l.match(/▀+/g) ?? []).map((r) => r.length))
        .filter((r) => r.length >= 2);
    // the frame can be caught half written: wait for both pictures in full (82x41 cells = 82x82 px)
    const screen = await s.waitFor((t) => runs(t).length >= 41);
    const widths = runs(screen);
    // two pictures side by side at one scale, far more than the 32 columns of the old cap
    for (const [face, reference] of widths) {
      expect(face).toBe(82);
      expect(reference).toBe(82);
    }
    expect(widths).toHaveLength(41);
    s.send('q');
    await exited(s);
  });
});
