import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorForPool, gcModeFrom } from '../../src/app/gc-mode.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Runs collectorForPool (the build's: `npm test` builds first) in a fresh node (V8's flags are process-wide and never undone) and reports the
 * mode, whether V8's flags changed (cachedDataVersionTag hashes them), and that a worker thread started
 * after it collects garbage without trouble.
 */
function inFreshNode(
  args: string,
  env: Record<string, string> = {},
): { mode: string; flagsChanged: boolean; worker: string } {
  const script = `
    import { cachedDataVersionTag } from 'node:v8';
    import { Worker } from 'node:worker_threads';
    const { collectorForPool } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'app', 'gc-mode.js'))});
    const before = cachedDataVersionTag();
    const mode = collectorForPool(${args});
    const flagsChanged = cachedDataVersionTag() !== before;
    let garbage = [];
    for (let i = 0; i < 200000; i++) { garbage.push({ i, s: 'x' + i }); if (garbage.length > 50000) garbage = []; }
    const w = new Worker('let g = []; for (let i = 0; i < 200000; i++) { g.push({ i }); if (g.length > 50000) g = []; } require("node:worker_threads").parentPort.postMessage("collected")', { eval: true, execArgv: [] });
    const worker = await new Promise((ok) => w.once('message', ok));
    await w.terminate();
    console.log(JSON.stringify({ mode, flagsChanged, worker }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, SITTER_GC: '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { mode: string; flagsChanged: boolean; worker: string };
}

describe('the collector while an engine pool takes every core', () => {
  it('moves the collection to the allocating thread when the workers take every core', () => {
    expect(inFreshNode('2, 2, 0')).toEqual({ mode: 'calling-thread', flagsChanged: true, worker: 'collected' });
  });

  it("keeps node's parallel collector with a core to spare, beside other engine threads, or when SITTER_GC=parallel", () => {
    expect(inFreshNode('1, 2, 0')).toMatchObject({ mode: 'parallel', flagsChanged: false });
    expect(inFreshNode('2, 2, 1')).toMatchObject({ mode: 'parallel', flagsChanged: false });
    expect(inFreshNode('2, 2, 0', { SITTER_GC: 'parallel' })).toMatchObject({ mode: 'parallel', flagsChanged: false });
  });

  it('refuses an unknown SITTER_GC with a hint, before anything changes', () => {
    expect(gcModeFrom({ SITTER_GC: 'AUTO' })).toBe('auto');
    expect(() => collectorForPool(2, 2, 0, { SITTER_GC: 'fast' })).toThrow(
      expect.objectContaining({ code: 'SITTER_GC_INVALID', hint: expect.stringContaining('SITTER_GC=parallel') }),
    );
  });
});
