/**
 * Sitter as a user installs it: the packed tarball installed globally (`npm install -g`, into a
 * prefix of the test's own so the machine's global folder is untouched) gives a `sitter` command on
 * PATH that finds its models and runs the whole main job. Scripts run as they would for a user
 * (sqlite3's native build included), so this is the slowest test; never skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** The environment without the outer vitest's markers, and without colours. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'FORCE_COLOR',
  );
  return { ...Object.fromEntries(kept), NO_COLOR: '1', ...extra };
}

async function sh(cwd: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    // stdout only: npm warns on stderr (e.g. of the project's onnxruntime-node-install setting)
    const { stdout } = await run(cmd, args, { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: e });
  }
}

describe('sitter installed globally from the packed tarball', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sitter-global-'));
  afterAll(() => rm(work, { recursive: true, force: true }), 120_000);

  it('npm install -g gives a sitter command that finds its models and runs the main job', async () => {
    expect(existsSync(path.join(root, 'dist/src/tui/cli.js')), 'run `npm run build` first').toBe(true);
    const packed = JSON.parse(
      await sh(root, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work]),
    ) as [{ filename: string }];
    const prefix = path.join(work, 'global');
    await sh(work, 'npm', [
      'install',
      '-g',
      '--prefix',
      prefix,
      path.join(work, packed[0].filename),
      '--prefer-offline',
      // as docs/cli.md says: onnxruntime-node's CPU build is in its package; its script would fetch GPU parts
      '--onnxruntime-node-install=skip',
      '--no-audit',
      '--no-fund',
    ]);
    const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
    // the command on PATH, run from a folder that is not the checkout
    const version = JSON.parse(await sh(work, 'sitter', ['--version', '--json'], env)) as { version: string };
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
    // its model card names the models against the packages installed with it
    const card = JSON.parse(await sh(work, 'sitter', ['model-card', '--json'], env)) as {
      files: { path: string; versionMatches: boolean }[];
    };
    expect(card.files.length).toBeGreaterThan(0);
    expect(card.files.filter((f) => !f.versionMatches)).toEqual([]);
    // and the whole main job runs on the embedded defaults (the engine loads and checks every model file)
    const demo = JSON.parse(await sh(work, 'sitter', ['--json', 'demo', '--dir', path.join(work, 'demo')], env)) as {
      workspace: string;
      auditOk: boolean;
      report: { assets: { scanned: number } };
    };
    expect(demo.auditOk).toBe(true);
    expect(demo.report.assets.scanned).toBeGreaterThan(0);
    // the optional accelerator came with it and embeds (the scan's record names the runtime)
    const audit = await sh(work, 'sitter', ['-w', demo.workspace, 'audit', 'export'], env);
    expect(audit).toMatch(/"embeddingRuntime":"onnxruntime-node \d+\.\d+\.\d+"/);
  }, 600_000);
});
