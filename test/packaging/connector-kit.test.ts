/**
 * The path a plugin author takes, for real: Sitter packed as npm would publish it, installed from the
 * tarball into a fresh project of their own, whose connector (test/fixtures/kit-plugin, TypeScript)
 * imports `sitter/connector`, type-checks against the packed declarations and passes the contract
 * suite from `sitter/testing`. Needs the build (`npm run build`, as `npm test` runs before vitest) and
 * the npm registry or a warm npm cache. Never skipped: a kit that does not install is a broken kit.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'test/fixtures/kit-plugin');

/** The environment without the outer vitest's markers (a plain `npx vitest run`), and without colours. */
function cleanEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'FORCE_COLOR',
  );
  return { ...Object.fromEntries(kept), NO_COLOR: '1' };
}

/** Runs a command in `cwd`; on a non-zero exit the failure shows its output. */
async function sh(cwd: string, cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: e });
  }
}

describe('the connector kit, installed from the packed tarball', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sitter-kit-'));
  // Asynchronous: half a gigabyte of node_modules removed synchronously would stall vitest's worker.
  afterAll(() => rm(work, { recursive: true, force: true }), 120_000);

  it('a plugin project installs the packed tarball and passes the contract suite', async () => {
    expect(existsSync(path.join(root, 'dist/src/testing/index.d.ts')), 'run `npm run build` first').toBe(true);
    // 1. pack as npm publishes (the build already ran: no scripts, so packing does not rebuild)
    const packed = JSON.parse(
      // stdout only: npm warns on stderr of the checkout's onnxruntime-node-install setting (.npmrc)
      (
        await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
          cwd: root,
          env: cleanEnv(),
        })
      ).stdout,
    ) as [{ filename: string; files: { path: string }[] }];
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('dist/src/testing/index.d.ts');
    expect(files).toContain('dist/src/public/connector.d.ts');
    expect(files).toContain('dist/src/tui/cli.js');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('dist/test/'))).toEqual(
      [],
    );

    // 2. a plugin author's fresh project, with the tarball, vitest and TypeScript
    const project = path.join(work, 'my-plugin');
    cpSync(fixture, project, { recursive: true });
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'my-plugin', private: true, type: 'module' }, null, 2),
    );
    await sh(project, 'npm', [
      'install',
      path.join(work, packed[0].filename),
      'vitest@^3',
      'typescript@^5',
      '@types/node@^20',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
    ]);

    // 3. their connector type-checks against the packed declarations (skipLibCheck off: ours are checked too)
    await sh(project, 'npx', ['--no-install', 'tsc', '--noEmit']);
    // 4. and passes Sitter's contract suite, run by their own vitest
    const out = await sh(project, 'npx', ['--no-install', 'vitest', 'run', '--reporter=verbose']);
    expect(out).toContain('connector contract: kit-json > refuses a fetch over maxBytes with ASSET_TOO_LARGE');
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/\d+ failed/);
  }, 300_000);
});
