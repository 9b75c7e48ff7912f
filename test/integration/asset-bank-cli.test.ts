/**
 * The Asset Bank connector through the real CLI on a real workspace, against the fake Asset Bank:
 * a shoot on an Asset Bank folder with auth=authorization-code, `connectors check` before and after
 * `sitter connectors login` (the browser played by fetch), the refresh token in a 0600 file and in no
 * output.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jsonOf, runSitter, type CliRun } from '../helpers/cli.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { tempDir } from '../helpers/workspace.js';
import { FAKE_AB, type FakeAssetBank } from '../fakes/asset-bank/index.js';
import { A, fakeWithShoot } from '../helpers/asset-bank.js';

const CLI_STEPS = 180_000;

interface Finding {
  step: string;
  ok: boolean;
  code?: string;
  hint?: string;
}

/** `sitter connectors login`, with its stderr read as it comes: the sign-in address is on it. */
function login(args: string[], env: Record<string, string>, browser: (url: string) => Promise<void>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SITTER_WORKSPACE: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let opened = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const url = /https?:\/\/\S+\/oauth\/authorize\S+/.exec(stderr)?.[0];
      if (url && !opened) {
        opened = true;
        browser(url).catch(reject);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('asset-bank through the CLI', () => {
  const tmp = tempDir('sitter-ab-cli-');
  const ws = join(tmp.dir, 'ws');
  const env = { SITTER_SECRET_AB_CLIENT: FAKE_AB.clientSecret, SITTER_SECRET_AB_REFRESH: '' };
  let fake: FakeAssetBank;
  const outputs: CliRun[] = [];
  const sitter = async (...args: string[]) => {
    const run = await runSitter(['--workspace', ws, '--json', ...args], { cwd: tmp.dir, env });
    outputs.push(run);
    return run;
  };

  beforeAll(async () => {
    ({ fake } = await fakeWithShoot(3, { rotateRefreshTokens: true }));
    expect((await sitter('init')).code).toBe(0);
  });
  afterAll(async () => {
    await fake.close();
    tmp.cleanup();
  });

  it('shoot create refuses what the connector would refuse later, storing nothing: http to a remote host, a password in the URL, a credential the auth mode needs', async () => {
    const base = {
      url: 'https://ab.example/assetbank',
      clientId: FAKE_AB.clientId,
      clientSecret: 'secret:ab-client',
      username: 'archivist',
      password: 'secret:ab-pw',
      consentRefsAttribute: String(A.consentRefs),
    };
    const create = (id: string, options: Record<string, string>, source = 'folder:990') =>
      sitter(
        ...createArgs(id, source),
        '--connector',
        'asset-bank',
        ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
      );
    for (const [id, options, problem] of [
      ['r1', { ...base, url: 'http://example.com/ab' }, /url.*https/],
      ['r2', { ...base, url: 'http://localhost.evil.example/ab' }, /url.*https/],
      ['r3', { ...base, url: 'https://admin:hunter4@ab.example/ab' }, /url.*user name or password/],
      ['r4', { ...base, clientSecret: undefined }, /clientSecret.*auth=password/],
    ] as const) {
      const wanted = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const run = await create(id, wanted);
      expect(run.code, `${id}: ${run.stdout}${run.stderr}`).toBe(1);
      expect(jsonOf(run).error).toMatchObject({ code: 'CONNECTOR_OPTIONS_INVALID' });
      expect(JSON.stringify(jsonOf(run))).toMatch(problem);
      expect(run.stdout + run.stderr).not.toMatch(/hunter4/);
      expect((await sitter('shoot', 'show', id)).code).toBe(1);
    }
    expect((await sitter('audit', 'export')).stdout).not.toMatch(/hunter4/);
    // auth=none is a choice, not a credential: no warning about it
    const none = await create('r5', { url: base.url, auth: 'none', consentRefsAttribute: base.consentRefsAttribute });
    expect(none.code, none.stdout + none.stderr).toBe(0);
    expect(jsonOf(none).warnings).toEqual([]);
  });

  it(
    'connectors login signs in through the browser and stores the refresh token in a 0600 file, never printed',
    async () => {
      const options = {
        url: fake.url,
        auth: 'authorization-code',
        clientId: FAKE_AB.clientId,
        clientSecret: 'secret:ab-client',
        refreshToken: 'secret:ab-refresh',
        consentRefsAttribute: String(A.consentRefs),
        participantsAttribute: String(A.participants),
        contentHosts: fake.contentHost.host,
      };
      const created = await sitter(
        ...createArgs('s42', `folder:${FAKE_AB.folders.shoot}`),
        '--connector',
        'asset-bank',
        ...Object.entries(options).flatMap(([k, v]) => ['--option', `${k}=${v}`]),
      );
      expect(created.code, created.stdout + created.stderr).toBe(0);

      // Before the login there is no refresh token: the check says which secret is missing.
      const before = await sitter('connectors', 'check', 's42');
      expect(before.code).toBe(1);
      expect((jsonOf(before).findings as Finding[]).find((f) => !f.ok)).toMatchObject({
        step: 'secret',
        code: 'SECRET_MISSING',
      });

      const run = await login(['--workspace', ws, '--json', 'connectors', 'login', 's42'], env, async (url) => {
        const answer = await fetch(url, { redirect: 'manual' });
        await fetch(answer.headers.get('location')!);
      });
      outputs.push(run);
      expect(run.code, run.stderr).toBe(0);
      const report = jsonOf(run);
      expect(report).toMatchObject({ identity: FAKE_AB.users.archivist.username, secret: 'ab-refresh' });
      const file = join(ws, 'secrets', 'ab-refresh');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8');
      expect(token.length).toBeGreaterThan(10);

      // Now the connector reaches its source (and Asset Bank rotates the token, which lands in the file).
      const after = await sitter('connectors', 'check', 's42');
      expect(after.code, after.stdout).toBe(0);
      expect((jsonOf(after).findings as Finding[]).every((f) => f.ok)).toBe(true);

      for (const o of outputs) {
        expect(o.stdout + o.stderr).not.toContain(token);
        expect(o.stdout + o.stderr).not.toContain(FAKE_AB.clientSecret);
      }
    },
    CLI_STEPS,
  );
});
