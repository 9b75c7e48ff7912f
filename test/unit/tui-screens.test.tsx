import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import type { Shoot } from '../../src/core/domain/shoot.js';
import type { ScanProgress } from '../../src/core/services/scan-service.js';
import type { ShootRow } from '../../src/tui/app/gateway.js';
import type { QueueStatus } from '../../src/core/services/scan-queue-status.js';
import { HomeScreen } from '../../src/tui/app/home/home-screen.js';
import { ReviewScreen } from '../../src/tui/app/review/review-screen.js';
import { ShootScreen } from '../../src/tui/app/shoot/shoot-screen.js';
import type { TerminalCaps } from '../../src/tui/app/terminal/capabilities.js';
import { ImageOverlay, OverlayContext } from '../../src/tui/app/images/overlay.js';
import { Picture } from '../../src/tui/app/widgets/picture.js';
import { asset, face, FakeGateway, flat, outcome, scanSummary, snapshot, threeFaces, until } from './tui-fixtures.js';

const SIZE = { columns: 80, rows: 24 };
const TRUECOLOR: TerminalCaps = { colour: 'truecolor', protocol: 'none' };
const KEY = { enter: '\r', escape: '\u001b', backspace: '\u007f', tab: '\t' };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

function mount(node: React.ReactElement) {
  const r = render(node);
  cleanup.push(() => r.unmount());
  const text = () => stripVTControlCharacters(r.lastFrame() ?? '');
  /** Waits for the frame to show `what` (the Shopify cli-kit habit: wait for the frame, never sleep). */
  const frame = async (what: string | RegExp) => {
    try {
      return await until(() => (typeof what === 'string' ? text().includes(what) : what.test(text())) && text());
    } catch {
      throw new Error(`the frame never showed ${String(what)}; the last one was:\n${text()}`);
    }
  };
  /** Presses a key and waits for a frame that shows `what`. */
  const press = async (key: string, what: string | RegExp) => {
    // let React run the effects of the frame just drawn (Ink subscribes key handlers in effects)
    await new Promise((res) => setImmediate(res));
    r.stdin.write(key);
    return frame(what);
  };
  return { ...r, text, frame, press };
}

function review(gateway: FakeGateway, caps: TerminalCaps = TRUECOLOR, onQuit = vi.fn()) {
  return mount(<ReviewScreen gateway={gateway} shootId="spring" caps={caps} size={SIZE} onQuit={onQuit} />);
}

describe('review screen', () => {
  it('draws the face and the reference photo next to who, consent, score, margin, file and what is left', async () => {
    const ui = review(new FakeGateway());
    const f = await ui.frame(/▀/);
    expect(f).toContain('Sitter review · spring · A');
    expect(f).toContain('3 left');
    expect(f).toContain('Ada Model');
    expect(f).toContain('id P1');
    expect(f).toContain('consent eligible');
    expect(f).toContain('score 0.620 · margin 0.010');
    expect(f).toContain('file a.jpg');
    expect(f).toContain('face 1 · 1 of 2 in this photo');
    expect(f).toContain('reference photo');
    expect(f).toContain('y/⏎ confirm · n reject · a assign · s skip · u undo · b bulk · ? help · q quit');
    expect(ui.lastFrame()).toContain('\u001b[38;2;200;150;120');
  });

  it('fits 80x24: no line wider than 80 columns and at most 23 lines', async () => {
    const ui = review(new FakeGateway());
    const f = await ui.frame(/▀/);
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it('confirms with y and rejects with n, one service call each, and moves on', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('y', 'Confirmed P1 on face 1.');
    expect(ui.text()).toContain('Ben Stand-in');
    await ui.press('n', 'Rejected P1 on face 2');
    expect(g.calls.filter((c) => c.method === 'decide').map((c) => c.args)).toEqual([
      ['spring', 1, { kind: 'confirm' }],
      ['spring', 2, { kind: 'reject' }],
    ]);
    expect(ui.text()).toContain('1 left');
  });

  it('"yn" in one chunk decides two faces, each once, in order', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('yn', 'Rejected P1 on face 2');
    expect(g.calls.filter((c) => c.method === 'decide').map((c) => c.args)).toEqual([
      ['spring', 1, { kind: 'confirm' }],
      ['spring', 2, { kind: 'reject' }],
    ]);
  });

  it('Enter confirms too', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press(KEY.enter, 'Confirmed P1 on face 1.');
  });

  it('assigns through a type-to-filter picker of eligible participants only', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    let f = await ui.press('a', 'Assign to (valid biometric');
    expect(f).toContain('Ben Stand-in (P2)');
    expect(f).not.toContain('Cy Photos-only');
    f = await ui.press('cy', 'nobody eligible matches "cy"');
    await ui.press(KEY.backspace, '> c');
    await ui.press(KEY.backspace, '3 of 3');
    f = await ui.press('bea', /› Bea Other \(P4\)/);
    expect(f).not.toContain('Ben Stand-in (P2)');
    await ui.press(KEY.enter, 'Assigned face 1 to P4.');
    expect(g.calls.at(-1)?.args).toEqual(['spring', 1, { kind: 'assign', participantRef: 'P4' }]);
  });

  it('Esc closes the picker without deciding', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('a', 'Assign to');
    await ui.press(KEY.escape, 'consent eligible');
    expect(g.calls.some((c) => c.method === 'decide')).toBe(false);
  });

  it('skips with s and undoes with u', async () => {
    const g = new FakeGateway();
    g.onUndo = async () => ({ face: 1, undone: 'confirm', state: 'proposed', participant: 'P1' });
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('s', 'Ben Stand-in');
    expect(ui.text()).toContain('3 left');
    await ui.press('y', 'Confirmed P1 on face 2.');
    await ui.press('u', 'Undid your confirm on face 1: it is proposed again (P1).');
    expect(ui.text()).toContain('Ada Model');
  });

  it('shows a placeholder and the reason when an asset vanished, and review goes on', async () => {
    const g = new FakeGateway();
    g.missing.add(1);
    const ui = review(g);
    const f = await ui.frame('no picture');
    expect(f).toMatch(/Asset "a\.jpg" does\s*│?[\s│]*not exist|does not/);
    await ui.press('y', 'Confirmed P1 on face 1.');
    await ui.frame(/▀/);
  });

  it('says when there is no reference photo', async () => {
    const g = new FakeGateway();
    g.queue = snapshot([asset(1, 'c.jpg', [face(7, { participant: 'P4', participantName: 'Bea Other' })])]);
    const ui = review(g);
    const f = await ui.frame('No reference photo');
    expect(f).toContain('minor');
  });

  it('opens and closes the help overlay', async () => {
    const ui = review(new FakeGateway());
    await ui.frame('Ada Model');
    const f = await ui.press('?', 'Keys');
    expect(f).toContain('reject: this face is not them (never proposed again)');
    await ui.press('x', 'Ada Model');
  });

  it('bulk-confirms the rest of a photo after a confirmation prompt', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('b', 'Bulk confirm');
    const f = await ui.press('1', 'Confirm 2 proposals');
    expect(f).toContain('in a.jpg?');
    await ui.press('y', 'Confirmed 2 proposals at once.');
    expect(g.calls.find((c) => c.method === 'bulk')?.args).toEqual(['spring', { asset: 'a.jpg' }]);
    expect(g.calls.filter((c) => c.method === 'loadQueue')).toHaveLength(2);
  });

  it('bulk-confirms above a typed score, and n backs out without deciding', async () => {
    const g = new FakeGateway();
    const ui = review(g);
    await ui.frame('Ada Model');
    await ui.press('b', 'Bulk confirm');
    await ui.press('2', 'Confirm every score at least');
    await ui.press(KEY.backspace, /> 0\.6$/m);
    await ui.press(KEY.backspace, /> 0\.$/m);
    await ui.press(KEY.backspace, /> 0$/m);
    await ui.press(KEY.backspace, />$/m);
    await ui.press('0.75', '> 0.75');
    await ui.press(KEY.enter, 'Confirm 1 proposal');
    await ui.press('n', 'consent eligible');
    expect(g.calls.some((c) => c.method === 'bulk')).toBe(false);
    await ui.press('b', 'Bulk confirm');
    await ui.press('2', 'Confirm every score at least');
    await ui.press(KEY.enter, 'Confirm 3 proposals');
    await ui.press('y', 'at once');
    expect(g.calls.find((c) => c.method === 'bulk')?.args).toEqual(['spring', { allAbove: 0.62 }]);
  });

  it('two-person review shows who confirmed first', async () => {
    const g = new FakeGateway('B');
    g.queue = snapshot([asset(1, 'a.jpg', [face(1, { confirmedBy: ['A'] })])], { reviewers: 2 });
    g.onDecide = async (id) => outcome(id, { reviewer: 'B', confirmedBy: ['A', 'B'] });
    const ui = review(g);
    const f = await ui.frame('confirmed first by A (1 of 2)');
    expect(f).toContain('two-person');
    await ui.press('y', 'Confirmed P1 on face 1 (confirmed by A and B).');
  });

  it('shows SAME_REVIEWER from the service and keeps the face on screen', async () => {
    const g = new FakeGateway('A');
    g.queue = snapshot([asset(1, 'a.jpg', [face(1, { confirmedBy: ['A'] }), face(2)])], { reviewers: 2 });
    g.onDecide = async () => {
      throw new SitterError(
        'SAME_REVIEWER',
        'A has already confirmed face 1; shoot "spring" needs a second, different reviewer.',
        'Ask another reviewer to confirm it (--reviewer NAME).',
      );
    };
    const ui = review(g);
    await ui.frame('you confirmed; needs another');
    const f = await ui.press('y', 'SAME_REVIEWER');
    expect(f).toContain('A has already confirmed face 1');
    expect(f).toContain('face 1 · 1 of 2');
    expect(f).toContain('2 left');
  });

  it('a locked database shows a notice while the save is retried, then goes through', async () => {
    const g = new FakeGateway();
    let release!: () => void;
    g.onDecide = (id) =>
      new Promise((resolve) => {
        g.busy?.('The database is busy: another Sitter process (a scan?) is writing. Trying again (1 of 3)…');
        release = () => {
          g.busy?.(null);
          resolve(outcome(id));
        };
      });
    const ui = review(g);
    await ui.frame('Ada Model');
    const f = await ui.press('y', 'The database is busy');
    expect(f).toContain('saving 1…');
    release();
    await ui.frame('Confirmed P1 on face 1.');
  });

  it('a save that still fails brings the face back with the reason', async () => {
    const g = new FakeGateway();
    g.onDecide = async () => {
      throw new SitterError(
        'DATABASE_LOCKED',
        'The workspace database is locked by another Sitter process.',
        'Wait for the other command to finish.',
      );
    };
    const ui = review(g);
    await ui.frame('Ada Model');
    const f = await ui.press('y', 'DATABASE_LOCKED');
    expect(f).toContain('face 1 · 1 of 2');
    expect(f).toContain('3 left');
  });

  it('says when nothing is left, after looking once more for new proposals', async () => {
    const g = new FakeGateway();
    g.queue = snapshot([asset(1, 'a.jpg', [face(1)])]);
    const ui = review(g);
    await ui.frame('Ada Model');
    g.queue = snapshot([]);
    await ui.press('y', 'Nothing left to review in shoot spring.');
    await until(() => g.calls.filter((c) => c.method === 'loadQueue').length === 2);
    await ui.frame('Nothing left to review in shoot spring.');
  });

  it('reports a queue that cannot load instead of crashing', async () => {
    const g = new FakeGateway();
    g.loadQueue = async () => {
      throw new SitterError('SHOOT_NOT_FOUND', 'There is no shoot "spring" in this workspace.', 'List the shoots.');
    };
    const ui = review(g);
    await ui.frame('There is no shoot "spring"');
  });

  it('q quits once the pending saves are done', async () => {
    const onQuit = vi.fn();
    const ui = review(new FakeGateway(), TRUECOLOR, onQuit);
    await ui.frame('Ada Model');
    await new Promise((res) => setImmediate(res));
    ui.stdin.write('y');
    ui.stdin.write('q');
    await until(() => onQuit.mock.calls.length === 1);
  });

  it('plain mode (NO_COLOR) draws pictures with characters and no colour codes', async () => {
    const ui = review(new FakeGateway(), { colour: 'plain', protocol: 'none' });
    await ui.frame(/│[ .:=+*#%@-]{22}│/);
    const raw = ui.lastFrame() ?? '';
    expect(raw).not.toContain('38;2;');
    expect(raw).not.toContain('▀');
  });

  it('256-colour mode uses the palette', async () => {
    const ui = review(new FakeGateway(), { colour: '256', protocol: 'none' });
    await ui.frame(/▀/);
    expect(ui.lastFrame()).toContain('38;5;');
  });

  it('drops the reference photo on a narrow terminal and still fits', async () => {
    const ui = mount(
      <ReviewScreen
        gateway={new FakeGateway()}
        shootId="spring"
        caps={TRUECOLOR}
        size={{ columns: 50, rows: 16 }}
        onQuit={() => undefined}
      />,
    );
    const f = await ui.frame(/▀/);
    expect(f).not.toContain('reference photo');
    for (const l of f.split('\n')) expect([...l].length).toBeLessThanOrEqual(50);
  });
});

function shootRow(over: Partial<Shoot> = {}): ShootRow {
  const shoot: Shoot = {
    id: 'spring',
    name: 'Spring campaign',
    purpose: 'Link models to releases',
    connector: 'local',
    connectorOptions: {},
    source: '/photos',
    retentionDays: 90,
    reviewersRequired: 1,
    shootFrom: '2026-05-01',
    shootTo: '2026-05-02',
    utcOffset: '+00:00',
    status: 'approved',
    dpiaRef: 'DPIA-1',
    approvedBy: 'Dana',
    approvedAt: new Date('2026-05-01T00:00:00Z'),
    matchThreshold: null,
    matchMargin: null,
    createdAt: new Date('2026-04-01T00:00:00Z'),
    closedAt: null,
    ...over,
  };
  return {
    shoot,
    roster: { total: 4, eligible: 2, 'photos-only': 1, withdrawn: 1, expired: 0, 'not-yet-signed': 0, 'no-record': 0 },
    report: {
      shoot: shoot.id,
      status: shoot.status,
      roster: {
        total: 4,
        eligible: 2,
        'photos-only': 1,
        withdrawn: 1,
        expired: 0,
        'not-yet-signed': 0,
        'no-record': 0,
      },
      assets: {
        total: 10,
        scanned: 9,
        failed: 1,
        pending: 0,
        withUnidentified: 2,
        pushed: 0,
        awaitingPush: 0,
        outsideDates: 0,
        noCaptureTime: 0,
      },
      faces: { total: 12, proposed: 5, confirmed: 3, rejected: 1, unidentified: 3, ignored: 0 },
      pendingReview: 5,
      participants: [
        { participant: 'P1', name: 'Ada Model', consent: 'eligible', proposed: 2, confirmed: 1, rejected: 0 },
      ],
      failures: [{ asset: 'x.jpg', error: 'IMAGE_UNDECODABLE' }],
      confirmations: [],
      outOfScope: [],
      todo: ['review 5 proposals: sitter review spring'],
    },
    attention: { expiringConsents: [], retentionEndsAt: new Date('2026-07-30T00:00:00Z'), retentionDue: false },
  };
}

describe('home screen', () => {
  it('lists shoots with status, roster, scan progress, pending and unidentified, and what needs attention', async () => {
    const g = new FakeGateway();
    g.home = { shoots: [shootRow(), shootRow({ id: 'autumn', status: 'draft' })], audit: { ok: true, count: 9 } };
    const onOpen = vi.fn();
    const onReview = vi.fn();
    const ui = mount(
      <HomeScreen gateway={g} onOpen={onOpen} onReview={onReview} onQuit={() => undefined} size={SIZE} />,
    );
    const f = await ui.frame('spring');
    expect(f).toContain('audit chain ok (9)');
    expect(f).toMatch(/› spring\s+approved\s+2\s+1\s+1\s+0\s+9\/10\s+5\s+3/);
    expect(f).toMatch(/autumn\s+draft/);
    expect(f).toContain('spring: 1 asset failed to scan');
    expect(f).toContain('spring: 2 photos with an unidentified person');
    await ui.press('j', '› autumn');
    await new Promise((res) => setImmediate(res));
    ui.stdin.write(KEY.enter);
    await until(() => onOpen.mock.calls.length === 1);
    expect(onOpen).toHaveBeenCalledWith('autumn');
    await new Promise((res) => setImmediate(res));
    ui.stdin.write('v');
    await until(() => onReview.mock.calls.length === 1);
  });

  it('puts a broken audit chain first', async () => {
    const g = new FakeGateway();
    g.home = { shoots: [shootRow()], audit: { ok: false, count: 9, firstBadSeq: 4, reason: 'entry 4 was altered' } };
    const ui = mount(
      <HomeScreen
        gateway={g}
        onOpen={() => undefined}
        onReview={() => undefined}
        onQuit={() => undefined}
        size={SIZE}
      />,
    );
    const f = await ui.frame('AUDIT CHAIN BROKEN');
    expect(f).toContain('the audit chain is broken at entry 4 (entry 4 was altered)');
  });

  it('an empty workspace says how to start', async () => {
    const ui = mount(
      <HomeScreen
        gateway={new FakeGateway()}
        onOpen={() => undefined}
        onReview={() => undefined}
        onQuit={() => undefined}
        size={SIZE}
      />,
    );
    await ui.frame('No shoots yet');
  });
});

describe('shoot screen', () => {
  const props = {
    shootId: 'spring',
    actor: 'dana',
    onReview: () => undefined,
    onBack: () => undefined,
    onQuit: () => undefined,
    size: SIZE,
  };

  it('approves a draft with the DPIA fields through the service', async () => {
    const g = new FakeGateway();
    g.row = shootRow({ status: 'draft', dpiaRef: null, approvedBy: null, approvedAt: null });
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    let f = await ui.frame('a approve');
    expect(f).toContain('none yet (draft: nothing is processed)');
    expect(f).not.toContain('s scan');
    await ui.press('a', 'DPIA reference:');
    await ui.press('DPIA-9', 'DPIA reference: DPIA-9');
    await ui.press(KEY.tab, '› approved by: dana');
    f = await ui.press(KEY.enter, 'Approved (DPIA DPIA-9, by dana)');
    expect(g.calls.find((c) => c.method === 'approve')?.args).toEqual(['spring', 'DPIA-9', 'dana']);
  });

  it('shows an approval the service refuses', async () => {
    const g = new FakeGateway();
    g.row = shootRow({ status: 'draft', dpiaRef: null, approvedBy: null, approvedAt: null });
    g.approve = async () => {
      throw new SitterError('DPIA_REQUIRED', 'A DPIA reference is required to approve a shoot.');
    };
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    await ui.frame('a approve');
    await ui.press('a', 'DPIA reference:');
    await ui.press(KEY.enter, '› approved by');
    await ui.press(KEY.enter, 'DPIA_REQUIRED');
  });

  it('runs a scan with live progress, rate and ETA, and stops it on x', async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    g.scanImpl = (id, onProgress, signal) =>
      new Promise((resolve) => {
        const p: ScanProgress = { total: 10, done: 3, skipped: 1, failed: 1, current: 'IMG_5.jpg' };
        setTimeout(() => onProgress(p), 20);
        signal.addEventListener('abort', () =>
          resolve({
            shootId: id,
            rosterHash: 'h',
            listed: 10,
            processed: 3,
            unchanged: 1,
            failed: [{ asset: 'x.jpg', code: 'IMAGE_UNDECODABLE', message: 'cannot decode' }],
            notImages: [],
            skipped: [],
            outsideDates: [],
            noCaptureTime: [],
            faces: 4,
            proposed: 3,
            unidentified: 1,
            stopped: true,
            pausedMs: 0,
          }),
        );
      });
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    await ui.frame('s scan');
    let f = await ui.press('s', 'Scanning 5/10 assets');
    f = await ui.frame('now: IMG_5.jpg');
    expect(f).toMatch(/assets\/s · ETA/);
    expect(f).toContain('3 analysed · 1 unchanged · 1 failed');
    expect(f).toContain('x stop the scan');
    f = await ui.press('x', 'Stopped: 10 assets, 3 analysed');
    expect(f).toContain('failed x.jpg: cannot decode');
  });

  it('q during a scan stops it, then quits once the assets in progress are done', async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    let stopped = false;
    g.scanImpl = (id, _onProgress, signal) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          stopped = true;
          setTimeout(() => resolve(scanSummary(id, { listed: 1, processed: 1, stopped: true })), 30);
        }),
      );
    const onQuit = vi.fn();
    const ui = mount(<ShootScreen gateway={g} {...props} onQuit={onQuit} />);
    await ui.frame('s scan');
    await ui.press('s', 'q stop and quit');
    ui.stdin.write('q');
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalledTimes(1));
    expect(stopped).toBe(true);
  });

  it('follows decisions made elsewhere: a new entry on the audit chain reloads the counts, quietly', async () => {
    const g = new FakeGateway();
    g.row = { ...shootRow(), seenSeq: 40 };
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    await ui.frame('5 pending review');
    // bob, on another machine, confirms two proposals: the chain grows and the report changes.
    const before = g.row;
    g.row = { ...before, seenSeq: 42, report: { ...before.report, pendingReview: 3 } };
    g.events = [41, 42].map((seq) => ({
      seq,
      at: new Date(),
      actor: 'bob',
      action: 'decision.confirm',
      face: seq,
      state: 'confirmed' as const,
    }));
    await until(() => ui.text().includes('3 pending review'), 8000);
    expect(g.calls.filter((c) => c.method === 'activity')[0]?.args).toEqual(['spring', 40]);
  });

  it('enrols through the service and shows the outcome; shows the report', async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    await ui.frame('e enrol');
    await ui.press('e', 'Enrolled: 2 new, 0 unchanged, 0 failed, 1 not eligible');
    const f = await ui.press('t', 'Report');
    expect(f).toContain('next: review 5 proposals: sitter review spring');
  });

  it('offers push only when the gateway has it', async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    const ui = mount(<ShootScreen gateway={g} {...props} />);
    const f = await ui.frame('e enrol');
    expect(f).not.toContain('p push');
    const withPush = Object.assign(new FakeGateway(), {
      row: shootRow(),
      push: async () => ({
        shootId: 'spring',
        assets: 1,
        written: 1,
        unchanged: 0,
        cleared: 0,
        persons: 1,
        heldBack: [],
        updated: [],
        broughtUpToDate: { assets: 1, why: { 'first-push': 1 } },
        leftoversRemoved: [],
        failed: [],
        queued: 0,
        warnings: [],
      }),
    });
    const ui2 = mount(<ShootScreen gateway={withPush} {...props} />);
    await ui2.frame('p push');
    await ui2.press('p', 'Pushed: 1 written');
  });
});

describe('queue snapshot fixture', () => {
  it('is in queue order', () => {
    expect(threeFaces().items.map((i) => i.face.face)).toEqual([1, 2, 3]);
  });
});

describe('kitty / iTerm2 pictures', () => {
  it('leaves the box empty and draws the PNG over it at the box cell after the frame', async () => {
    const writes: string[] = [];
    const overlay = new ImageOverlay('kitty', (s) => writes.push(s));
    const slot = { kind: 'ready' as const, pixels: flat(4, 4).pixels, png: Uint8Array.from([1, 2, 3]) };
    const ui = mount(
      <OverlayContext.Provider value={overlay}>
        <Box flexDirection="column">
          <Text>header line</Text>
          <Box>
            <Text>ab</Text>
            <Picture slot={slot} cols={4} rows={2} caption="face" caps={{ colour: 'truecolor', protocol: 'kitty' }} />
          </Box>
        </Box>
      </OverlayContext.Provider>,
    );
    await ui.frame('face');
    expect(ui.text()).not.toContain('▀');
    await until(() => {
      overlay.flush();
      return writes.length > 0;
    });
    // the picture's inside starts below the header and the top border (row 2), right of "ab" and the border (col 3)
    expect(writes[0]).toContain('\u001b7\u001b[3;4H\u001b_Ga=T,f=100,i=1,c=4,r=2');
    overlay.flush();
    expect(writes).toHaveLength(1); // kitty keeps its images: nothing moved, nothing redrawn
  });
});

describe('shoot screen: the team queue (issue 15)', () => {
  const props = {
    shootId: 'spring',
    actor: 'dana',
    onReview: () => undefined,
    onBack: () => undefined,
    onQuit: () => undefined,
    size: { columns: 120, rows: 24 },
  };
  const status = (over: Partial<QueueStatus> = {}): QueueStatus => ({
    shootId: 'spring',
    assets: 4,
    settled: { analysed: 2, unchanged: 0, failed: 1, refused: 0, held: 0, skipped: 0 },
    open: 1,
    jobs: { waiting: 0, active: 1, retrying: 0, deadLettered: 0 },
    retrying: [],
    deadLettered: [],
    failed: [{ asset: 'bad.jpg', error: 'IMAGE_UNREADABLE: cannot decode', worker: 'a:1' }],
    workers: [
      { worker: 'a:1', assets: 2, lastSeen: new Date() },
      { worker: 'b:2', assets: 1, lastSeen: new Date() },
    ],
    finished: false,
    ...over,
  });

  it("shows the queued scan's progress, polled, as sitter scan --status tells it", async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    let current = status();
    let polls = 0;
    const withQueue = Object.assign(g, {
      queueStatus: async () => {
        polls += 1;
        return current;
      },
    });
    const ui = mount(<ShootScreen gateway={withQueue} {...props} />);
    await ui.frame('queue: 3/4 done, 0 waiting, 1 active, 0 retrying, 0 dead-lettered, 1 failed, 2 workers');
    current = status({ open: 0, jobs: { waiting: 0, active: 0, retrying: 0, deadLettered: 0 }, finished: true });
    await until(() => polls >= 2, 5000);
    await ui.frame('queue finished: 4/4 done, 0 waiting, 0 active, 0 retrying, 0 dead-lettered, 1 failed, 2 workers');
  });

  it('shows no queue line when the workspace has no queue for the shoot', async () => {
    const g = new FakeGateway();
    g.row = shootRow();
    const ui = mount(<ShootScreen gateway={Object.assign(g, { queueStatus: async () => null })} {...props} />);
    const f = await ui.frame('assets:');
    expect(f).not.toContain('queue:');
  });
});
