/**
 * Helpers for driving the interactive app in a real terminal (tmux) and for building a workspace
 * with proposals without the face engine: assets and faces go in through the Store port.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readConsentFile, consentFileAccessFor } from '../../src/core/store/files/consent-files.js';
import { parseConsentFile } from '../../src/core/consent/index.js';
import { importConsent } from '../../src/core/services/consent-service.js';
import { approveShoot, createShoot } from '../../src/core/services/shoot-service.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { initWorkspace, openWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';
import { writeConsentFolder, type FixtureParticipant } from '../helpers/consent-fixture.js';

export const TMUX = '/usr/bin/tmux';
export const hasTmux = existsSync(TMUX);

/** A tmux server of our own (its own socket), so tests never touch anyone else's sessions. */
export class TmuxSession {
  private readonly socket = `sitter-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly name = 'app';

  constructor(
    command: string[],
    opts: { cols?: number; rows?: number; env?: Record<string, string>; cwd?: string } = {},
  ) {
    const env = Object.entries({ TERM: 'xterm-256color', ...opts.env })
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    // Keep the pane after the app exits, to read its exit code.
    const script = `env ${env} ${command.map(shellQuote).join(' ')}; echo "[exited $?]"; sleep 600`;
    this.tmux(
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(opts.cols ?? 80),
      '-y',
      String(opts.rows ?? 24),
      ...(opts.cwd ? ['-c', opts.cwd] : []),
      script,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync(TMUX, ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** The visible screen as text (no colours). */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** The visible screen with its escape sequences (to check colours). */
  screenWithColours(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
  }

  /** Keys as tmux names them: literal text is sent as is, "Enter", "Escape", "BSpace" are keys. */
  send(...keys: string[]): void {
    for (const k of keys) {
      if (/^(Enter|Escape|BSpace|Tab|Up|Down|Left|Right|C-c)$/.test(k)) this.tmux('send-keys', '-t', this.name, k);
      else this.tmux('send-keys', '-t', this.name, '-l', k);
    }
  }

  /**
   * Several keys in one `send-keys` call (tmux names or single characters), as a fast typist or a
   * slow link delivers them: they reach the app together, in one read.
   */
  sendTogether(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Copies everything the program writes to its terminal (escape sequences and all) into `file`. */
  recordOutput(file: string): void {
    this.tmux('pipe-pane', '-o', '-t', this.name, `cat >> ${shellQuote(file)}`);
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  /** Polls the screen until `match` holds (no fixed sleeps); fails with the last screen on timeout. */
  async waitFor(match: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (typeof match === 'function' ? match(last) : match.test(last)) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${String(match)}; the screen was:\n${last}`);
  }

  /** Sends keys and waits until the screen differs from before and matches `match`. */
  async press(keys: string | string[], match: RegExp, timeoutMs?: number): Promise<string> {
    const before = this.screen();
    this.send(...(Array.isArray(keys) ? keys : [keys]));
    return this.waitFor((s) => s !== before && match.test(s), timeoutMs);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    // tmux can leave its socket file behind
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}

export interface AppOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
}

/**
 * Starts the built CLI on a workspace in a fresh tmux session (truecolor unless `env` says
 * otherwise), remembered in `sessions` so that afterAll can kill them all.
 */
export function appLauncher(cli: string, wsDir: string, cwd: string, sessions: TmuxSession[]) {
  return (args: string[], opts: AppOptions = {}): TmuxSession => {
    const s = new TmuxSession([process.execPath, cli, '-w', wsDir, ...args], {
      cwd,
      env: { COLORTERM: 'truecolor', ...opts.env },
      ...(opts.cols ? { cols: opts.cols } : {}),
      ...(opts.rows ? { rows: opts.rows } : {}),
    });
    sessions.push(s);
    return s;
  };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface FixtureFace {
  participant: string | null;
  score: number;
  margin: number;
  box?: { x: number; y: number; w: number; h: number };
}

export interface FixtureAsset {
  file: string;
  faces: FixtureFace[];
  /** 'image' (default) or a damaged file that still looks like a PNG */
  kind?: 'image' | 'damaged';
}

/** A small picture with a light "face" disc on a coloured background, different per seed. */
export async function portrait(seed: number, width = 96, height = 72): Promise<Buffer> {
  const bg = { r: (seed * 53) % 200, g: (seed * 97) % 200, b: (seed * 31) % 200 };
  const svg = `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="rgb(${bg.r},${bg.g},${bg.b})"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 4}" fill="rgb(240,200,170)"/><circle cx="${width / 2 - 6}" cy="${height / 2 - 4}" r="2" fill="black"/><circle cx="${width / 2 + 6}" cy="${height / 2 - 4}" r="2" fill="black"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * A shoot with proposals, built through the services (create, consent import, approve) and the
 * Store port (assets and faces, as a scan would have stored them). Returns face ids in input order.
 */
export async function buildShoot(
  ctx: ServiceContext,
  root: string,
  shootId: string,
  opts: { reviewers: 1 | 2; people: FixtureParticipant[]; assets: FixtureAsset[] },
): Promise<{ faces: number[]; photos: string }> {
  const photos = join(root, `${shootId}-photos`);
  mkdirSync(photos, { recursive: true });
  const consentFile = writeConsentFolder(join(root, `${shootId}-consent`), opts.people);
  await createShoot(ctx, {
    id: shootId,
    name: `Shoot ${shootId}`,
    purpose: 'Link models to their releases',
    source: photos,
    retentionDays: 90,
    connector: 'local',
    reviewersRequired: opts.reviewers,
    from: '2026-05-30',
    to: '2026-06-01',
    utcOffset: '+00:00',
  });
  const parsed = await parseConsentFile(await readConsentFile(consentFile), consentFileAccessFor(consentFile));
  await importConsent(ctx, shootId, parsed, consentFile);
  await approveShoot(ctx, shootId, 'DPIA-1', 'Dana Officer');
  for (const [i, a] of opts.assets.entries()) {
    const bytes =
      a.kind === 'damaged'
        ? Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)])
        : await portrait(i + 1);
    writeFileSync(join(photos, a.file), bytes);
  }
  const faces: number[] = [];
  await ctx.store.transaction(async (uow) => {
    const people = new Map((await uow.participants.listByShoot(shootId)).map((p) => [p.externalRef, p.id]));
    const now = ctx.clock.now();
    for (const a of opts.assets) {
      const asset = await uow.assets.add({
        shootId,
        connectorAssetId: a.file,
        fileName: a.file,
        contentSha256: null,
        size: 1,
        width: 96,
        height: 72,
        orientation: 1,
        sourceRevision: null,
        rendition: null,
        scanState: 'scanned',
        error: null,
        flags: [],
        scannedAt: now,
      });
      for (const f of a.faces) {
        const face = await uow.faces.add({
          shootId,
          assetId: asset.id,
          ...(f.box ?? { x: 0.3, y: 0.2, w: 0.4, h: 0.6 }),
          detectorScore: 0.99,
          state: 'proposed',
          participantId: f.participant ? (people.get(f.participant) ?? null) : null,
          score: f.score,
          margin: f.margin,
          reason: null,
          embedding: null,
          modelDigest: null,
          createdAt: now,
        });
        faces.push(face.id);
      }
    }
  });
  return { faces, photos };
}

/** A new workspace opened on the system clock (the app's own clock), for seeding through the services. */
export async function openNewWorkspace(wsDir: string): Promise<{ ws: OpenWorkspace; ctx: ServiceContext }> {
  await initWorkspace(wsDir);
  const ws = await openWorkspace(wsDir);
  return { ws, ctx: { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'test' } };
}

/** Ada (P1) and Ben (P2), both with biometric consent and a reference photo. */
export async function adaAndBen(): Promise<FixtureParticipant[]> {
  return [
    { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await portrait(101, 60, 80) },
    { id: 'P2', name: 'Ben Stand-in', consent: 'yes', photo: await portrait(102, 60, 80) },
  ];
}

/** A proposal whose score rises with `i`, so a queue (most uncertain first) is in index order. */
export function risingFace(participant: string, i: number): FixtureFace {
  return { participant, score: 0.5 + i / 100, margin: 0.01 * i };
}
