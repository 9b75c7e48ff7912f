/**
 * The ResourceSpace plugin as an archivist meets it, through the real CLI on a real workspace: Sitter
 * loads it from the plugins folder and lists its options (the key a secret), a shoot is created on a
 * collection with the key referenced by name, `connectors check` reaches the fake ResourceSpace with
 * the key from the environment and names a wrong key as CONNECTOR_AUTH, and the key is in no byte of
 * the workspace or of any output (docs/writing-a-connector.md, step 5).
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { occurrences } from '../helpers/workspace-bytes.js';
import { tempDir } from '../helpers/workspace.js';
import { startFakeHttpServer, type FakeHttpServer } from '../../src/testing/fake-http.js';
import { createFakeResourceSpace } from '../../plugins/resourcespace/test/fake-resourcespace.js';
import { makeImage } from '../contract/fixtures.js';

const PLUGINS = resolve(import.meta.dirname, '../../plugins');
const CLI_STEPS = 180_000;

interface Finding {
  step: string;
  ok: boolean;
  code?: string;
  message?: string;
}

describe('the ResourceSpace plugin through the CLI', () => {
  const tmp = tempDir('sitter-rs-');
  const ws = join(tmp.dir, 'ws');
  const fake = createFakeResourceSpace();
  const key = fake.keyOf('sitter');
  let server: FakeHttpServer;
  const outputs: CliRun[] = [];
  const sitter = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const run = await runSitter(['--workspace', ws, '--json', ...args], {
      cwd: tmp.dir,
      env: { SITTER_PLUGINS: PLUGINS, SITTER_SECRET_RS_KEY: undefined, ...env },
    });
    outputs.push(run);
    return run;
  };

  beforeAll(async () => {
    server = await startFakeHttpServer(fake.handler);
    for (let i = 0; i < 3; i++)
      fake.addResource({ bytes: await makeImage('jpeg', 64, 48, { r: 60 * i, g: 80, b: 90 }), collections: [12] });
    expect((await sitter(['init'])).code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it(
    'is listed with its options, checks a shoot on a collection with the key by name, and never writes or prints the key',
    async () => {
      const listed = jsonOf(await sitter(['connectors'])) as {
        connectors: { name: string; options?: { key: string; secret?: boolean }[] }[];
        skippedPlugins: unknown[];
      };
      expect(listed.skippedPlugins).toEqual([]);
      const rs = listed.connectors.find((c) => c.name === 'resourcespace');
      expect(JSON.stringify(rs)).toContain('privateKey');
      expect(JSON.stringify(rs)).toMatch(/consentRefsField/);

      const options = [
        `baseUrl=${server.url}`,
        'user=sitter',
        'privateKey=secret:rs-key',
        'consentRefsField=sitterconsent',
        'participantsField=sitterparticipants',
      ];
      const literal = await sitter([
        ...createArgs('gala', 'collection:12'),
        '--connector',
        'resourcespace',
        ...options.map((o) => (o.startsWith('privateKey') ? `privateKey=${key}` : o)).flatMap((o) => ['--option', o]),
      ]);
      expect(literal.code).toBe(1);
      expect((jsonOf(literal).error as { code: string }).code).toBe('CONNECTOR_OPTIONS_INVALID');

      const created = await sitter([
        ...createArgs('gala', 'collection:12'),
        '--connector',
        'resourcespace',
        ...options.flatMap((o) => ['--option', o]),
      ]);
      expect(created.code, created.stdout + created.stderr).toBe(0);

      const ok = await sitter(['connectors', 'check', 'gala'], { SITTER_SECRET_RS_KEY: key });
      expect(ok.code, ok.stdout).toBe(0);
      expect((jsonOf(ok).findings as Finding[]).every((f) => f.ok)).toBe(true);
      expect(fake.state.calls.some((c) => c.fn === 'do_search')).toBe(true);

      const wrong = await sitter(['connectors', 'check', 'gala'], { SITTER_SECRET_RS_KEY: 'f'.repeat(64) });
      expect(wrong.code).toBe(1);
      // The plugin's health probe (contract 3) finds the refused key before the listing is tried.
      expect((jsonOf(wrong).findings as Finding[]).find((f) => !f.ok)).toMatchObject({
        step: 'health',
        code: 'CONNECTOR_AUTH',
      });

      // Every signed request reached the fake without an Authorization header, and the key is nowhere.
      expect(server.requests.every((r) => !r.hasAuthorization)).toBe(true);
      expect(occurrences(ws, Buffer.from(key))).toEqual([]);
      for (const run of outputs) expect(run.stdout + run.stderr).not.toContain(key);
    },
    CLI_STEPS,
  );
});
