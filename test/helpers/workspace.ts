import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { type InitOptions, initWorkspace, openWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';
import { type PgCluster, startPostgres } from './postgres.js';

export function tempDir(prefix = 'sitter-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestWorkspace {
  root: string;
  ws: OpenWorkspace;
  clock: FixedClock;
  ctx: ServiceContext;
  cleanup: () => Promise<void>;
}

/** A real workspace (SQLite file, key files) in a temp folder, opened with a fixed clock. */
export async function makeWorkspace(now = new Date('2026-06-01T10:00:00Z')): Promise<TestWorkspace> {
  return openedIn(now, {});
}

/** init with `options` in a new temp folder, then open it with a FixedClock at `now`. */
async function openedIn(now: Date, options: InitOptions): Promise<TestWorkspace> {
  const { dir, cleanup } = tempDir();
  const root = join(dir, 'ws');
  await initWorkspace(root, options);
  const ws = await openWorkspace(root);
  const clock = new FixedClock(now);
  return {
    root,
    ws,
    clock,
    ctx: { store: ws.store, clock, keyVault: ws.keyVault, actor: 'tester' },
    cleanup: async () => {
      await ws.close();
      cleanup();
    },
  };
}

/**
 * A team workspace: a fresh database on the test file's PostgreSQL cluster, the local folder (marker,
 * master key) in a temp folder, opened with a fixed clock. The password reaches node-postgres as a user
 * would give it, through PGPASSWORD.
 */
export async function makeTeamWorkspace(
  cluster: PgCluster,
  now = new Date('2026-06-01T10:00:00Z'),
): Promise<TestWorkspace & { url: string }> {
  process.env.PGPASSWORD = cluster.password;
  const url = await cluster.createDatabase('ws');
  return { ...(await openedIn(now, { database: url })), url };
}

/**
 * The workspaces the store tests run on, for `describe.each`: SQLite, and PostgreSQL on one cluster
 * for the whole test file, started on first use (call `stopClusters` in afterAll).
 */
export function workspaceKinds(): { kind: 'sqlite' | 'postgresql'; make: (now?: Date) => Promise<TestWorkspace> }[] {
  return [
    { kind: 'sqlite', make: (now) => makeWorkspace(now) },
    { kind: 'postgresql', make: async (now) => makeTeamWorkspace(await sharedCluster(), now) },
  ];
}

let cluster: Promise<PgCluster> | undefined;
function sharedCluster(): Promise<PgCluster> {
  cluster ??= startPostgres();
  return cluster;
}

/** Stops the test file's cluster, if a team workspace started one. */
export async function stopClusters(): Promise<void> {
  const started = cluster;
  cluster = undefined;
  if (started) await (await started).stop();
}
