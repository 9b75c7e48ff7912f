/**
 * The flags the `sitter` command gives node, read from its shebang (`#!/usr/bin/env -S node FLAGS`),
 * so that benchmarks and tests run the CLI, and the scan inside a benchmark, as a user's `sitter` runs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** the compiled CLI beside the compiled script (dist/scripts -> dist/src/tui/cli.js); tsc keeps the shebang */
export const CLI_ENTRY = resolve(import.meta.dirname, '../src/tui/cli.js');

export function cliNodeFlags(entry = CLI_ENTRY): string[] {
  const first = readFileSync(entry, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env\s+(?:-S\s+)?node((?:\s+--[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!m) throw new Error(`${entry} does not start with a node shebang: ${first}`);
  return (m[1] ?? '').split(/\s+/).filter(Boolean);
}
