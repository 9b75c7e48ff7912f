/**
 * A plugin that puts its token into its errors (message, hint, details, causes) must not get it into
 * the workspace or any output: the connector wrapper hides every resolved secret value as
 * `secret:NAME` before an error leaves it, and names the plugin by its registry name and folder, not
 * by the `info.name` it claims ("local"). A real scan (services, real SQLite, the real plugin loader
 * and secret lookup; no model needed, every fetch fails) and the real CLI's `connectors check`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { givenEngine } from '../../src/app/given-providers.js';
import { builtinRegistry, shootConnectorProvider, workspaceSecrets } from '../../src/connectors/index.js';
import { loadPlugins } from '../../src/connectors/plugins.js';
import { scanShoot } from '../../src/core/services/scan-service.js';
import { jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { recordingEngine, TEST_CALIBRATION } from '../helpers/fake-engine.js';
import { seedApprovedShoot, seedTemplate } from '../helpers/seed.js';
import { auditEntries } from '../helpers/shoot-cli.js';
import { occurrences } from '../helpers/workspace-bytes.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const PLUGINS = resolve(import.meta.dirname, '../fixtures/plugins');
const TOKEN = 'tok-91c2-LEAKY-secret-value';
const PLUGIN_FOLDER = join(PLUGINS, 'leaky-token');

describe('a plugin that leaks its token into its errors', () => {
  let t: TestWorkspace;
  let dam = '';
  const outputs: CliRun[] = [];
  const sitter = async (...args: string[]) => {
    const run = await runSitter(['-w', t.root, '--json', ...args], {
      env: { SITTER_PLUGINS: PLUGINS, SITTER_SECRET_LEAKY: TOKEN },
    });
    outputs.push(run);
    return run;
  };

  beforeAll(async () => {
    t = await makeWorkspace(new Date());
    dam = join(t.root, '..', 'dam');
    mkdirSync(dam);
    writeFileSync(join(dam, 'a.jpg'), 'x');
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }], 1, dam, undefined, {
      name: 'leaky-token',
      options: { token: 'secret:leaky' },
    });
    await seedTemplate(t, 's', 'P1', [1, 0, 0], 'test-model');
  }, 60_000);
  afterAll(async () => {
    await t.cleanup();
  });

  it('a scan whose every fetch fails records the error with secret:NAME in place of the token, naming the plugin by its registry name and folder', async () => {
    const registry = builtinRegistry();
    await loadPlugins(PLUGINS, registry);
    const connectors = shootConnectorProvider(registry, workspaceSecrets(t.root, { SITTER_SECRET_LEAKY: TOKEN }));
    const summary = await scanShoot(
      t.ctx,
      { connectors, engines: givenEngine(recordingEngine(), TEST_CALIBRATION) },
      's',
    );
    expect(summary.failed).toHaveLength(1);
    const failure = summary.failed[0]?.message ?? '';
    expect(JSON.stringify(summary.failed)).not.toContain(TOKEN);
    expect(failure).toContain('token=secret:leaky');
    expect(failure).toContain(`Connector "leaky-token" (plugin at ${PLUGIN_FOLDER})`);
    expect(failure).not.toContain('Connector "local"');
  });

  it('connectors check reports the refusal without the token; the token is in no byte of the workspace, the audit export or any output', async () => {
    expect((await sitter('shoot', 'configure', 's', '--option', 'failOn=list')).code).toBe(0);
    const check = await sitter('connectors', 'check', 's');
    expect(check.code).toBe(1);
    const source = (jsonOf(check).findings as { step: string; message: string; hint?: string }[]).find(
      (f) => f.step === 'source',
    );
    expect(source?.message).toContain('list: 401 for token=secret:leaky');
    expect(source?.message).toContain(`Connector "leaky-token" (plugin at ${PLUGIN_FOLDER})`);
    expect(source?.hint).toBe('Ask for a new token (yours was secret:leaky).');

    const audit = join(t.root, '..', 'audit.jsonl');
    await auditEntries(sitter, audit);
    const needle = Buffer.from(TOKEN);
    expect(occurrences(t.root, needle)).toEqual([]);
    expect(readFileSync(audit).includes(needle)).toBe(false);
    for (const run of outputs) expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
  });
});
