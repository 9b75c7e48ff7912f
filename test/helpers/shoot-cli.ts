import { readFileSync, rmSync } from 'node:fs';
import { expect } from 'vitest';
import type { runSitter } from './cli.js';

export type Json = Record<string, unknown>;

/** Shoot days for shoots the CLI creates in tests that never scan. */
export const DAYS = ['--from', '2026-06-01', '--to', '2026-06-02'];

/** `sitter shoot create ID` with everything but the connector and its options. */
export function createArgs(id: string, source: string): string[] {
  return [
    'shoot',
    'create',
    id,
    '--name',
    id,
    '--source',
    source,
    '--purpose',
    'test',
    '--retention-days',
    '30',
    ...DAYS,
  ];
}

/** The audit entries of a workspace, as `audit export --output` writes them. */
export async function auditEntries(
  sitter: (...args: string[]) => ReturnType<typeof runSitter>,
  file: string,
): Promise<{ action: string; details: Json }[]> {
  rmSync(file, { force: true });
  expect((await sitter('audit', 'export', '--output', file)).code).toBe(0);
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; details: Json });
}
