import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/ports/clock.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { loadMatches, reviewQueue } from '../../src/core/services/matches-service.js';
import { openWorkspace, initWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';
import { withRawDb } from '../helpers/raw-db.js';
import { CLI, runSitter } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import type { TmuxSession } from './tui-helpers.js';
import { appLauncher, buildShoot, hasTmux, portrait } from './tui-helpers.js';

const ESC = '\u001b';

/**
 * The review app as a reviewer uses it: the built CLI in a real terminal (tmux), keys sent, the
 * screen read back; then the database checked through the services.
 */
describe.skipIf(!hasTmux)('sitter review in a real terminal (tmux)', () => {
  const tmp = tempDir('sitter-tui-e2e-');
  const wsDir = join(tmp.dir, 'ws');
  let ws: OpenWorkspace;
  let ctx: ServiceContext;
  let spring: number[] = [];
  let duo: number[] = [];
  const sessions: TmuxSession[] = [];

  const app = appLauncher(CLI, wsDir, tmp.dir, sessions);
  const exited = (s: TmuxSession) => s.waitFor(/\[exited (\d+)\]/);

  beforeAll(async () => {
    await initWorkspace(wsDir);
    ws = await openWorkspace(wsDir);
    ctx = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'test' };
    const people = [
      { id: 'P1', name: 'Ada Model', consent: 'yes' as const, photo: await portrait(101, 60, 80) },
      { id: 'P2', name: 'Ben Stand-in', consent: 'yes' as const, photo: await portrait(102, 60, 80) },
      { id: 'P3', name: 'Cy Photos-only', consent: 'no' as const },
    ];
    const built = await buildShoot(ctx, tmp.dir, 'spring', {
      reviewers: 1,
      people,
      assets: [
        {
          file: 'img1.png',
          faces: [
            { participant: 'P1', score: 0.62, margin: 0.01 },
            { participant: 'P2', score: 0.9, margin: 0.02, box: { x: 0.05, y: 0.05, w: 0.2, h: 0.3 } },
          ],
        },
        { file: 'img2.png', faces: [{ participant: 'P1', score: 0.7, margin: 0.03 }] },
        { file: 'gone.png', faces: [{ participant: 'P2', score: 0.7, margin: 0.04 }] },
        { file: 'broken.png', kind: 'damaged', faces: [{ participant: 'P2', score: 0.7, margin: 0.05 }] },
        { file: 'img3.png', faces: [{ participant: 'P1', score: 0.8, margin: 0.06 }] },
      ],
    });
    spring = built.faces;
    rmSync(join(built.photos, 'gone.png'));
    duo = (
      await buildShoot(ctx, tmp.dir, 'duo', {
        reviewers: 2,
        people,
        assets: [{ file: 'a.png', faces: [{ participant: 'P1', score: 0.8, margin: 0.1 }] }],
      })
    ).faces;
  });

  afterAll(async () => {
    for (const s of sessions) s.kill();
    await ws?.close();
    tmp.cleanup();
  });

  const stateOf = async (shootId: string) => {
    const m = await loadMatches(ctx, shootId);
    return new Map(m.assets.flatMap((a) => a.faces.map((f) => [f.face, f] as const)));
  };

  it('confirms, rejects, undoes, assigns, skips broken pictures and survives a locked database', async () => {
    const [f1, f2, f3, f4, f5, f6] = spring;
    const s = app(['review', 'spring', '--reviewer', 'A']);
    let screen = await s.waitFor((t) => t.includes(`face ${f1} ·`) && t.includes('▀'));
    expect(screen).toContain('Sitter review · spring · A');
    expect(screen).toContain('6 left');
    expect(screen).toContain('Ada Model');
    expect(screen).toContain('score 0.620 · margin 0.010');
    expect(screen).toContain('file img1.png');
    for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(s.screenWithColours()).toMatch(new RegExp(`${ESC}\\[38;2;\\d+;\\d+;\\d+`));

    await s.press('y', new RegExp(`Confirmed P1 on face ${f1}\\.`));
    await s.press('n', new RegExp(`Rejected P2 on face ${f2}: it will not be proposed again`));
    screen = await s.press('u', new RegExp(`Undid your reject on face ${f2}: it is proposed again`));
    expect(screen).toContain('Ben Stand-in');
    await s.press('n', new RegExp(`Rejected P2 on face ${f2}`));

    // assign: the picker offers eligible participants only
    await s.waitFor(new RegExp(`face ${f3} ·`));
    await s.press('a', /Assign to \(valid biometric/);
    await s.press('cy', /nobody eligible matches "cy"/);
    await s.press('BSpace', /> c\s*$/m);
    await s.press('BSpace', /3 of 3|2 of 2/);
    await s.press('ben', /› Ben Stand-in \(P2\)/);
    await s.press('Enter', new RegExp(`Assigned face ${f3} to P2\\.`));

    // a vanished asset and a damaged one: a placeholder with the reason, and review goes on
    screen = await s.waitFor(new RegExp(`face ${f4} ·[\\s\\S]*`));
    screen = await s.waitFor(/no picture/);
    expect(screen).toMatch(/does\s*│?\s*│?[\s\S]*not exist|does not exist/);
    await s.press('s', new RegExp(`face ${f5} ·`));
    // the damaged PNG: named, and said why (its header is damaged), wrapped in the box
    await s.waitFor(/"broken\.png" cannot be\s*│?\s*│?[\s\S]*header is\s*│?\s*│?[\s\S]*damaged/);
    await s.press('s', new RegExp(`face ${f6} ·`));

    // a scan in another process holds the write lock: the app says so and retries, never crashes
    await withRawDb(join(wsDir, 'sitter.db'), async (sql) => {
      await sql('BEGIN EXCLUSIVE');
      try {
        s.send('y');
        await s.waitFor(/The database is busy/, 20_000);
      } finally {
        await sql('COMMIT');
      }
    });
    await s.waitFor(new RegExp(`Confirmed P1 on face ${f6}\\.`), 20_000);

    // skipped ones come back; quit (decisions were saved on each key)
    await s.waitFor(new RegExp(`face ${f4} ·`));
    s.send('q');
    expect(await exited(s)).toMatch(/\[exited 0\]/);

    const faces = await stateOf('spring');
    expect(faces.get(f1!)).toMatchObject({ state: 'confirmed', participant: 'P1' });
    expect(faces.get(f2!)).toMatchObject({ state: 'rejected' });
    expect(faces.get(f3!)).toMatchObject({ state: 'confirmed', participant: 'P2' });
    expect(faces.get(f4!)).toMatchObject({ state: 'proposed' });
    expect(faces.get(f5!)).toMatchObject({ state: 'proposed' });
    expect(faces.get(f6!)).toMatchObject({ state: 'confirmed', participant: 'P1' });
    const decisions = await ws.store.transaction((uow) => uow.decisions.listByFace(f2!));
    expect(decisions.map((d) => [d.action, d.reviewer, d.undoneAt !== null])).toEqual([
      ['reject', 'A', true],
      ['reject', 'A', false],
    ]);
    const rejections = await ws.store.transaction(async (uow) => {
      const asset = (await uow.faces.find(f2!))!.assetId;
      return uow.rejections.listByAsset(asset);
    });
    expect(rejections).toHaveLength(1);
    const audit = await ws.store.transaction((uow) => uow.audit.all());
    expect(audit.filter((e) => e.shootId === 'spring').map((e) => e.action)).toEqual(
      expect.arrayContaining(['decision.confirm', 'decision.reject', 'decision.undone', 'decision.assign']),
    );
    expect(audit.filter((e) => e.action.startsWith('decision.')).every((e) => e.actor === 'A')).toBe(true);
  });

  it('the rejected face is never proposed again: a new session starts on what is left', async () => {
    const [f1, f2, , f4] = spring;
    const queue = reviewQueue(await loadMatches(ctx, 'spring'), 0.565).map((i) => i.face.face);
    expect(queue).not.toContain(f2);
    expect(queue).not.toContain(f1);
    const s = app(['review', 'spring', '--reviewer', 'A']);
    const screen = await s.waitFor(new RegExp(`face ${f4} ·`));
    expect(screen).toContain('2 left');
    s.send('q');
    await exited(s);
  });

  it('two-person review: shows who confirmed first and refuses the same reviewer twice', async () => {
    const [d1] = duo;
    const a = app(['review', 'duo', '--reviewer', 'A']);
    let screen = await a.waitFor(/two-person review: 0 of 2/);
    expect(screen).toContain('Sitter review · duo · A · two-person');
    await a.press('y', new RegExp(`Confirmed P1 on face ${d1}: 1 of 2 reviewers`));
    a.send('q');
    await exited(a);
    expect((await stateOf('duo')).get(d1!)).toMatchObject({ state: 'proposed', confirmedBy: ['A'] });

    const again = app(['review', 'duo', '--reviewer', 'A']);
    screen = await again.waitFor(/confirmed first by A \(1 of 2\)/);
    expect(screen).toContain('you confirmed; needs another');
    screen = await again.press('y', /SAME_REVIEWER/);
    expect(screen).toMatch(/A has already confirmed face/);
    again.send('q');
    await exited(again);

    const b = app(['review', 'duo', '--reviewer', 'B']);
    await b.waitFor(/confirmed first by A \(1 of 2\)/);
    await b.press('y', new RegExp(`Confirmed P1 on face ${d1} \\(confirmed by A and B\\)`));
    b.send('q');
    await exited(b);
    expect((await stateOf('duo')).get(d1!)).toMatchObject({ state: 'confirmed', confirmedBy: ['A', 'B'] });
  });

  it('with no command opens home, then a shoot, then its queue; redraws on resize without overflowing', async () => {
    const s = app([], { env: { SITTER_ACTOR: 'dana' } });
    let screen = await s.waitFor(/Sitter · shoots[\s\S]*spring/);
    expect(screen).toMatch(/audit chain ok/);
    screen = await s.press('Enter', /Shoot spring: Shoot spring \[approved\]/);
    expect(screen).toContain('v review');
    await s.press('v', /Sitter review · spring · dana/);
    s.resize(60, 20);
    screen = await s.waitFor(
      (t) =>
        t.includes('Sitter review') &&
        t.trimEnd().split('\n').length <= 20 &&
        !t.split('\n').some((l) => [...l].length > 60),
    );
    await s.press('Escape', /Shoot spring/);
    await s.press('Escape', /Sitter · shoots/);
    s.send('q');
    expect(await exited(s)).toMatch(/\[exited 0\]/);
  });

  it('NO_COLOR draws faces with plain characters', async () => {
    const s = app(['review', 'spring', '--reviewer', 'C'], { env: { NO_COLOR: '1', COLORTERM: 'truecolor' } });
    await s.waitFor(/│[ .:=+*#%@-]{22}│/);
    expect(s.screenWithColours()).not.toContain(`${ESC}[38;2;`);
    s.send('q');
    await exited(s);
  });

  it('without a terminal points to the headless commands (exit 2)', async () => {
    const run = await runSitter(['-w', wsDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs a terminal/);
    expect(run.stderr).toMatch(/sitter decide SHOOT FACE --confirm\|--reject\|--assign ID/);
    const review = await runSitter(['-w', wsDir, 'review', 'spring']);
    expect(review.code).toBe(2);
    expect(review.stderr).toMatch(/needs a terminal/);
  });
});
