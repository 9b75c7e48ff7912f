/**
 * The review queue's speed with 10,000 proposals (issue 6): keypress to the next face drawn (p95,
 * target <= 50 ms) and time to the first frame (target <= 1 s). Builds a workspace with the
 * services and the Store port (no face engine needed), then
 *   - first frame and first face: starts the built CLI in a real terminal (tmux, 3 runs) and polls
 *     the screen (skipped with --no-terminal or without /usr/bin/tmux); the same in-process;
 *   - keypresses: renders the app in-process on a fake 80x24 terminal, presses keys and times each
 *     until a frame shows the next face's crop. `y` saves a real decision in SQLite each time.
 * Usage: npx tsc -p tsconfig.build.json && node dist/scripts/bench-review.js
 *   [--proposals 10000] [--keys 200] [--glance 150] [--photo 640x480] [--keep DIR] [--no-terminal]
 * See docs/tui.md for the latest figures.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import sharp from 'sharp';
import { parseConsentFile } from '../src/core/consent/index.js';
import { systemClock } from '../src/core/ports/clock.js';
import { importConsent } from '../src/core/services/consent-service.js';
import type { ServiceContext } from '../src/core/services/context.js';
import { approveShoot, createShoot } from '../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../src/core/store/files/consent-files.js';
import { initWorkspace, openWorkspace } from '../src/core/store/workspace.js';

// as `sitter review` runs it: React's production build
process.env.NODE_ENV ??= 'production';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PROPOSALS = arg('proposals', 10_000);
const KEYS = arg('keys', 200);
/** time between a face appearing and the next key: a fast reviewer's glance */
const GLANCE_MS = arg('glance', 150);
const FACES_PER_ASSET = 10;
/** size of the generated photos, e.g. --photo 4000x3000 for camera-sized JPEGs */
const photoArg = process.argv.indexOf('--photo');
const [PHOTO_W, PHOTO_H] = (photoArg > 0 ? (process.argv[photoArg + 1] ?? '') : '640x480').split('x').map(Number) as [
  number,
  number,
];
const PEOPLE = 20;
const cli = resolve(import.meta.dirname, '../src/tui/cli.js');

async function picture(seed: number): Promise<Buffer> {
  const bg = `rgb(${(seed * 53) % 200},${(seed * 97) % 200},${(seed * 31) % 200})`;
  const svg = `<svg width="${PHOTO_W}" height="${PHOTO_H}" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="${bg}"/><circle cx="${PHOTO_W / 2}" cy="${PHOTO_H / 2}" r="${PHOTO_H / 4}" fill="rgb(240,200,170)"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/** A workspace with one approved shoot holding `PROPOSALS` proposals over `PROPOSALS / 10` photos. */
async function buildWorkspace(root: string): Promise<string> {
  const wsDir = join(root, 'ws');
  const photos = join(root, 'photos');
  const consent = join(root, 'consent');
  mkdirSync(photos, { recursive: true });
  mkdirSync(join(consent, 'forms'), { recursive: true });
  mkdirSync(join(consent, 'photos'), { recursive: true });
  const lines = [
    'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes',
  ];
  for (let i = 1; i <= PEOPLE; i++) {
    const form = Buffer.from(`form of P${i}`);
    writeFileSync(join(consent, 'forms', `P${i}.pdf`), form);
    writeFileSync(join(consent, 'photos', `P${i}.jpg`), await picture(1000 + i));
    lines.push(
      [
        `P${i}`,
        `Person ${i}`,
        'yes',
        '2026-01-10',
        '',
        '',
        `forms/P${i}.pdf`,
        createHash('sha256').update(form).digest('hex'),
        `photos/P${i}.jpg`,
        'no',
        '',
        'web',
      ].join(','),
    );
  }
  writeFileSync(join(consent, 'consent.csv'), `${lines.join('\n')}\n`);
  const assets = Math.ceil(PROPOSALS / FACES_PER_ASSET);
  for (let a = 0; a < assets; a++)
    writeFileSync(join(photos, `IMG_${String(a).padStart(5, '0')}.jpg`), await picture(a));

  await initWorkspace(wsDir);
  const ws = await openWorkspace(wsDir);
  const ctx: ServiceContext = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'bench' };
  await createShoot(ctx, {
    id: 'bench',
    name: 'Bench',
    purpose: 'Benchmark the review queue',
    source: photos,
    retentionDays: 30,
    connector: 'local',
    reviewersRequired: 1,
    from: '2026-01-01',
    to: '2026-12-31',
    utcOffset: '+00:00',
  });
  const file = join(consent, 'consent.csv');
  await importConsent(
    ctx,
    'bench',
    await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)),
    file,
  );
  await approveShoot(ctx, 'bench', 'DPIA-BENCH', 'Bench Officer');
  let made = 0;
  for (let start = 0; start < assets; start += 100) {
    await ws.store.transaction(async (uow) => {
      const ids = (await uow.participants.listByShoot('bench')).map((p) => p.id);
      const now = new Date();
      for (let a = start; a < Math.min(assets, start + 100); a++) {
        const name = `IMG_${String(a).padStart(5, '0')}.jpg`;
        const asset = await uow.assets.add({
          shootId: 'bench',
          connectorAssetId: name,
          fileName: name,
          contentSha256: null,
          size: 1,
          width: PHOTO_W,
          height: PHOTO_H,
          orientation: 1,
          sourceRevision: null,
          rendition: null,
          scanState: 'scanned',
          error: null,
          flags: [],
          scannedAt: now,
        });
        for (let f = 0; f < FACES_PER_ASSET && made < PROPOSALS; f++, made++) {
          const col = f % 5;
          const row = Math.floor(f / 5);
          await uow.faces.add({
            shootId: 'bench',
            assetId: asset.id,
            x: 0.05 + col * 0.18,
            y: 0.1 + row * 0.45,
            w: 0.14,
            h: 0.3,
            detectorScore: 0.98,
            state: 'proposed',
            participantId: ids[(a + f) % ids.length] ?? null,
            score: 0.5 + ((a * 7 + f * 13) % 45) / 100,
            margin: 0.05 + ((a * 11 + f * 3) % 30) / 100,
            reason: null,
            embedding: null,
            modelDigest: null,
            createdAt: now,
          });
        }
      }
    });
  }
  await ws.close();
  return wsDir;
}

function percentile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

const stripAnsi = (s: string) => stripVTControlCharacters(s);
/** A frame showing a proposal with its face drawn: "face N ·" and half blocks in the face box. */
const drawnFace = (frame: string): number | null => {
  const text = stripAnsi(frame);
  const m = /face (\d+) ·/.exec(text);
  // the face box is the first on the left: its rows start with "│▀" once the crop is drawn
  return m && /^│▀/m.test(text) ? Number(m[1]) : null;
};

/** In a real terminal: spawn the built CLI in tmux, poll the screen for the first frame and the first face. */
function firstFrameInTmux(wsDir: string): { frame: number; face: number } | null {
  const tmux = '/usr/bin/tmux';
  if (!existsSync(tmux)) return null;
  const socket = `sitter-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const t = (...a: string[]) => execFileSync(tmux, ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  try {
    const start = performance.now();
    t(
      'new-session',
      '-d',
      '-s',
      'b',
      '-x',
      '80',
      '-y',
      '24',
      `env TERM=xterm-256color COLORTERM=truecolor ${process.execPath} ${cli} -w ${wsDir} review bench --reviewer bench; sleep 60`,
    );
    let frame = 0;
    for (;;) {
      const screen = t('capture-pane', '-p', '-t', 'b');
      if (!frame && screen.includes('Sitter review')) frame = performance.now() - start;
      if (drawnFace(screen) !== null) return { frame, face: performance.now() - start };
      if (performance.now() - start > 20_000) throw new Error(`no first face after 20 s:\n${screen}`);
      execFileSync('sleep', ['0.005']);
    }
  } finally {
    try {
      t('kill-server');
    } catch {
      // gone
    }
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  }
}

class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  frames: { at: number; text: string }[] = [];
  write = (s: string) => {
    this.frames.push({ at: performance.now(), text: s });
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private chunk: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const c = this.chunk;
    this.chunk = null;
    return c;
  };
  press(s: string) {
    this.chunk = s;
    this.emit('readable');
  }
}

async function inProcess(wsDir: string) {
  // loaded here, after NODE_ENV is set (static imports would load React's development build first)
  const [{ render }, { createElement }, { App }, { openAppGateway }, { deferredGateway }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../src/tui/app/app.js'),
    import('../src/tui/app/workspace-gateway.js'),
    import('../src/tui/app/deferred-gateway.js'),
  ]);
  const start = performance.now();
  // as runApp does: draw first, open the workspace behind the first frame
  const opening = new Promise<Awaited<ReturnType<typeof openAppGateway>>>((res, rej) =>
    setImmediate(() => openAppGateway({ workspace: wsDir, reviewer: 'bench' }).then(res, rej)),
  );
  const gateway = deferredGateway('bench', opening);
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const app = render(
    createElement(App, {
      gateway,
      caps: { colour: 'truecolor', protocol: 'none' },
      start: { kind: 'review', shootId: 'bench' },
      actor: 'bench',
    }),
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 60,
    },
  );
  const waitFor = async (pred: (frame: string) => boolean, since: number, timeoutMs = 10_000): Promise<number> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = stdout.frames.find((f) => f.at >= since && pred(f.text));
      if (hit) return hit.at;
      if (performance.now() > deadline)
        throw new Error(
          `timed out waiting for a frame; the last one was:\n${stripAnsi(stdout.frames.at(-1)?.text ?? '(none)')}`,
        );
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  const frameAt = await waitFor((f) => stripAnsi(f).includes('Sitter review'), start, 30_000);
  const firstAt = await waitFor((f) => drawnFace(f) !== null, start, 30_000);
  const firstFrame = frameAt - start;
  const firstFace = firstAt - start;
  const lastFace = () => {
    for (let i = stdout.frames.length - 1; i >= 0; i--) {
      const id = drawnFace(stdout.frames[i]!.text);
      if (id !== null) return id;
    }
    return null;
  };
  const samples: Record<'y' | 's', number[]> = { y: [], s: [] };
  // Let the first prefetch settle, as a reviewer's first look at a face would.
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < KEYS; i++) {
    const key = i % 2 === 0 ? 'y' : 's';
    const before = lastFace();
    const t0 = performance.now();
    stdin.press(key);
    const at = await waitFor((f) => {
      const id = drawnFace(f);
      return id !== null && id !== before;
    }, t0);
    samples[key].push(at - t0);
    // a reviewer's look at the new face before the next key (not measured)
    await new Promise((r) => setTimeout(r, GLANCE_MS));
  }
  app.unmount();
  await gateway.close();
  return { firstFrame, firstFace, samples };
}

const keep = process.argv.indexOf('--keep');
const root = keep > 0 ? resolve(process.argv[keep + 1] ?? '') : mkdtempSync(join(tmpdir(), 'sitter-bench-review-'));
try {
  const t0 = performance.now();
  const wsDir = existsSync(join(root, 'ws')) ? join(root, 'ws') : await buildWorkspace(root);
  console.log(
    `built a workspace with ${PROPOSALS} proposals over ${Math.ceil(PROPOSALS / FACES_PER_ASSET)} photos (${PHOTO_W}x${PHOTO_H} JPEG) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const tmuxRuns = (process.argv.includes('--no-terminal') ? [] : [0, 1, 2])
    .map(() => firstFrameInTmux(wsDir))
    .filter((x): x is { frame: number; face: number } => x !== null);
  const r = await inProcess(wsDir);
  const all = [...r.samples.y, ...r.samples.s];
  const fmt = (n: number) => `${n.toFixed(1)} ms`;
  const med = (xs: number[]) => (xs.length ? Math.round(percentile(xs, 0.5)) : null);
  const result = {
    proposals: PROPOSALS,
    keys: all.length,
    glance_ms: GLANCE_MS,
    terminal_first_frame_ms: med(tmuxRuns.map((x) => x.frame)),
    terminal_first_face_ms: med(tmuxRuns.map((x) => x.face)),
    in_process_first_frame_ms: Math.round(r.firstFrame),
    in_process_first_face_ms: Math.round(r.firstFace),
    key_to_next_face_p50_ms: Number(percentile(all, 0.5).toFixed(1)),
    key_to_next_face_p95_ms: Number(percentile(all, 0.95).toFixed(1)),
    confirm_p95_ms: Number(percentile(r.samples.y, 0.95).toFixed(1)),
    skip_p95_ms: Number(percentile(r.samples.s, 0.95).toFixed(1)),
    max_ms: Number(Math.max(...all).toFixed(1)),
  };
  if (tmuxRuns.length) {
    console.log(
      `built CLI in tmux (80x24, median of ${tmuxRuns.length} runs, including Node start-up): first frame ${fmt(result.terminal_first_frame_ms ?? 0)} (target <= 1000 ms), first face drawn ${fmt(result.terminal_first_face_ms ?? 0)}`,
    );
  }
  console.log(
    `in-process (from runApp-equivalent start): first frame ${fmt(r.firstFrame)}, first face drawn ${fmt(r.firstFace)}`,
  );
  console.log(
    `keypress to next face drawn, ${all.length} keys ${GLANCE_MS} ms apart (y saves a decision, s skips): p50 ${fmt(result.key_to_next_face_p50_ms)}, p95 ${fmt(result.key_to_next_face_p95_ms)} (target <= 50 ms), max ${fmt(result.max_ms)}`,
  );
  console.log(`  confirm (y) p95 ${fmt(result.confirm_p95_ms)}, skip (s) p95 ${fmt(result.skip_p95_ms)}`);
  console.log(JSON.stringify(result));
} finally {
  if (keep < 0) rmSync(root, { recursive: true, force: true });
}
