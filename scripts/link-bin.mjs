// Makes `npx sitter` work inside this checkout: npm links the bins of dependencies into
// node_modules/.bin, but not the project's own, so `prepare` links it there after the build.
// package.json's "bin" field is for `npm install -g ./sitter-*.tgz` (test/packaging/global-install
// .test.ts); with this link in place npx (npm 11.19) finds the local bin and never tries to install
// the project into its own cache, which once failed with ENOENT on the cache's package.json.
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const BINS = { sitter: 'dist/src/tui/cli.js' };
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(BINS)) {
  const file = join(root, target);
  if (!existsSync(file)) throw new Error(`${target} does not exist: did the build run?`);
  chmodSync(file, 0o755);
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(dirname(link), file), link);
}
