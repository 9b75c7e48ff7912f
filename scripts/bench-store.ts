/**
 * The main thread's CPU per analysed asset for what a scan writes, without any face model:
 *
 *   npm run bench:store [-- --assets 300 --participants 20 --in-flight 4 --seed 1]
 *
 * A real workspace in a temp folder (SQLite file, key vault, audit chain), a shoot with a consent
 * roster and sealed enrolment templates, then N synthetic analysed assets (1-3 faces, random unit
 * 128-d embeddings, about half of them close to a roster template, so proposals and encryption
 * happen) stored through the scan's own path: `scanWriteContext` (the scan's writer, group commit)
 * and `storeAnalysis` in `retryWhileLocked`, the way `scanAsset` calls it, `--in-flight` assets at a
 * time as `sitter scan` keeps them; `--group N`: at most N writes to a transaction (1: each alone).
 * Prints the CPU of this process (`process.cpuUsage()`, user + system: the main thread plus SQLite's
 * libuv thread), the main thread's busy time and the wall time per asset, the SQL statements per
 * asset by kind and table, checks the audit chain, then prints one JSON object. Profile it with
 * `node --cpu-prof dist/scripts/bench-store.js` (docs/engine.md, "The store's share").
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import sqlite3 from 'sqlite3';
import { parseConsentFile } from '../src/core/consent/index.js';
import { embeddingToBytes } from '../src/core/domain/embedding.js';
import { matchLimits } from '../src/core/domain/match-limits.js';
import { templateBinding } from '../src/core/domain/seal-binding.js';
import type { Shoot } from '../src/core/domain/shoot.js';
import { systemClock } from '../src/core/ports/clock.js';
import type { ListedAsset } from '../src/core/ports/connector.js';
import type { DetectedFace, FaceAnalysis } from '../src/core/ports/face-engine.js';
import { verifyAudit } from '../src/core/services/audit-service.js';
import { importConsent } from '../src/core/services/consent-service.js';
import { requireShoot, type ServiceContext } from '../src/core/services/context.js';
import { retryWhileLocked } from '../src/core/services/retry-locked.js';
import { storeAnalysis } from '../src/core/services/scan-records.js';
import { loadMatchingRoster } from '../src/core/services/scan-roster.js';
import { GROUP_COMMIT_MAX, scanWriteContext } from '../src/core/services/scan-writer.js';
import { approveShoot, createShoot } from '../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../src/core/store/files/consent-files.js';
import { initWorkspace, openWorkspace } from '../src/core/store/workspace.js';

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: '300' },
    participants: { type: 'string', default: '20' },
    'in-flight': { type: 'string', default: '4' },
    /** the most asset writes one transaction takes (default: the scan's, GROUP_COMMIT_MAX); 1: one per transaction */
    group: { type: 'string' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean' },
  },
});
const N = Number(values.assets);
const P = Number(values.participants);
const inFlight = Math.max(1, Number(values['in-flight']));
const MODEL = 'bench-store-model';
const DIM = 128;

// A seeded generator: two runs store the same faces, so before/after compare the same work.
let state = Number(values.seed) >>> 0 || 1;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const randomUnit = () => unit(Float32Array.from({ length: DIM }, gauss));
/** A unit vector at about `distance` from `base` (both unit): base plus noise of that length, renormalised. */
const near = (base: Float32Array, distance: number) => {
  const noise = randomUnit();
  return unit(base.map((x, i) => x + noise[i]! * distance));
};

const root = mkdtempSync(join(tmpdir(), 'sitter-bench-store-'));
const shootDir = join(root, 'shoot');
const consentDir = join(root, 'consent');
mkdirSync(shootDir);
mkdirSync(join(consentDir, 'photos'), { recursive: true });
const header =
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes';
const rows = [header];
for (let p = 1; p <= P; p++) {
  const id = `P${p}`;
  const form = `Signed consent form of ${id}`;
  writeFileSync(join(consentDir, `${id}.txt`), form);
  await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: p, g: 90, b: 200 } } })
    .png()
    .toFile(join(consentDir, 'photos', `${id}.png`));
  const sha = createHash('sha256').update(form).digest('hex');
  rows.push([id, id, 'yes', '2026-01-01', '', '', `${id}.txt`, sha, `photos/${id}.png`, 'no', '', 'web'].join(','));
}
const consentFile = join(consentDir, 'consent.csv');
writeFileSync(consentFile, `${rows.join('\n')}\n`);

await initWorkspace(join(root, 'ws'));
const ws = await openWorkspace(join(root, 'ws'));
const ctx: ServiceContext = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: 'bench' };
const today = new Date().toISOString().slice(0, 10);
await createShoot(ctx, {
  id: 's',
  name: 's',
  purpose: 'bench',
  source: shootDir,
  retentionDays: 30,
  connector: 'local',
  reviewersRequired: 1,
  from: '2026-01-01',
  to: today,
  utcOffset: '+00:00',
});
await importConsent(
  ctx,
  's',
  await parseConsentFile(await readConsentFile(consentFile), consentFileAccessFor(consentFile)),
  consentFile,
);
await approveShoot(ctx, 's', 'BENCH', 'bench');
// Enrolment templates as `enrol` stores them (sealed, bound to their row), one per participant.
const templates = new Map<number, Float32Array>();
await ctx.store.transaction(async (uow) => {
  for (const p of await uow.participants.listByShoot('s')) {
    const vector = randomUnit();
    templates.set(p.id, vector);
    const row = { shootId: 's', participantId: p.id, modelDigest: MODEL, origin: 'reference-photo' as const };
    const embedding = await ctx.keyVault.encrypt(templateBinding(row), embeddingToBytes(vector));
    await uow.templates.add({ ...row, embedding, originRef: `sha256:${p.externalRef}`, createdAt: new Date() });
  }
});
const shoot: Shoot = await ctx.store.transaction((uow) => requireShoot(uow, 's'));
const roster = await loadMatchingRoster(ctx, shoot, MODEL);
const limits = matchLimits(shoot, { threshold: 0.565, margin: 0.05 });

/** One synthetic analysed asset: 1-3 faces side by side, about half of them a roster member's. */
function syntheticAsset(i: number): { item: ListedAsset; analysis: FaceAnalysis; hash: string } {
  const people = [...templates.values()];
  const faces: DetectedFace[] = [];
  const count = 1 + Math.floor(rand() * 3);
  for (let f = 0; f < count; f++) {
    const known = rand() < 0.5;
    const embedding = known ? near(people[Math.floor(rand() * people.length)]!, 0.3) : randomUnit();
    faces.push({
      box: { x: 0.05 + f * 0.3, y: 0.2, w: 0.2, h: 0.3 },
      score: 0.9,
      landmarks: {},
      embedding,
    });
  }
  const hash = `sha256:${createHash('sha256').update(randomBytes(16)).digest('hex')}`;
  return {
    item: {
      id: `img-${String(i).padStart(5, '0')}.jpg`,
      fileName: `img-${i}.jpg`,
      size: 1000 + i,
      modifiedAt: new Date(),
    },
    analysis: { image: { width: 2048, height: 1365, orientation: 1, contentHash: hash, format: 'jpeg' }, faces },
    hash,
  };
}
const work = Array.from({ length: N }, (_, i) => syntheticAsset(i));

/**
 * Counts the SQL statements the loop sends, by kind and table (`select asset`, `BEGIN`, ...): the
 * part of the breakdown that does not depend on how busy the machine is.
 */
const statements = new Map<string, number>();
let counting = false;
const proto = sqlite3.Database.prototype as unknown as Record<string, (sql: string, ...rest: unknown[]) => unknown>;
for (const method of ['all', 'run', 'get', 'exec', 'each'] as const) {
  const original = proto[method]!;
  proto[method] = function (this: unknown, sql: string, ...rest: unknown[]) {
    if (counting) {
      const verb = /^\s*(\w+)/.exec(sql)?.[1] ?? '?';
      const table = /\b(?:from|into|update)\s+`?(\w+)`?/i.exec(sql)?.[1];
      const kind = table ? `${verb.toLowerCase()} ${table}` : verb.toUpperCase();
      statements.set(kind, (statements.get(kind) ?? 0) + 1);
    }
    return original.call(this, sql, ...rest);
  };
}

// The scan's path: its writer, then storeAnalysis in retryWhileLocked, in-flight at a time.
const group = Number(values.group ?? GROUP_COMMIT_MAX);
const writeCtx = scanWriteContext(ctx, group);
let proposed = 0;
const queue = [...work];
counting = true;
const elu0 = performance.eventLoopUtilization();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      const { item, analysis, hash } = w;
      const facts = { contentHash: hash, size: item.size ?? null, revision: null, rendition: null };
      const counts = await retryWhileLocked(() =>
        storeAnalysis(writeCtx, shoot, item, facts, analysis, roster, limits, undefined),
      );
      proposed += counts?.proposed ?? 0;
    }
  }),
);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const busyMs = performance.eventLoopUtilization(elu0).active;
counting = false;
const verified = await verifyAudit(ctx);
const faces = work.reduce((n, w) => n + w.analysis.faces.length, 0);
await ws.close();
if (!values.keep) rmSync(root, { recursive: true, force: true });

const result = {
  assets: N,
  faces,
  proposed,
  in_flight: inFlight,
  group_commit_max: group,
  cpu_ms_per_asset: +((cpu.user + cpu.system) / 1000 / N).toFixed(2),
  main_busy_ms_per_asset: +(busyMs / N).toFixed(2),
  wall_ms_per_asset: +(wallMs / N).toFixed(2),
  statements_per_asset: +([...statements.values()].reduce((a, b) => a + b, 0) / N).toFixed(2),
  transactions_per_asset: +((statements.get('BEGIN') ?? 0) / N).toFixed(2),
  audit_intact: verified.chain.ok,
};
console.log(
  `${N} assets, ${faces} faces, ${proposed} proposed, ${inFlight} in flight, at most ${group} per transaction`,
);
console.log(`CPU per asset (user + system, this process): ${result.cpu_ms_per_asset} ms`);
console.log(`main thread busy per asset:                  ${result.main_busy_ms_per_asset} ms`);
console.log(`wall time per asset:                         ${result.wall_ms_per_asset} ms`);
console.log(
  `SQL statements per asset:                   ${result.statements_per_asset} (${result.transactions_per_asset} transactions)`,
);
for (const [kind, n] of [...statements].sort((a, b) => b[1] - a[1]))
  console.log(`  ${kind.padEnd(24)} ${(n / N).toFixed(2)} per asset`);
console.log(`audit verify: ${verified.chain.ok ? 'intact' : 'BROKEN'}`);
console.log(JSON.stringify(result));
if (!verified.chain.ok) process.exit(1);
