import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../src/core/ports/clock.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { initWorkspace, openWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';

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
  const { dir, cleanup } = tempDir();
  const root = join(dir, 'ws');
  await initWorkspace(root);
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
