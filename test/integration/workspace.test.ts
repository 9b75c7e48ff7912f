import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace, openWorkspace } from '../../src/core/store/workspace.js';
import { CLI, jsonOf, runSitter } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/workspace.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** The read-only test drops to an unprivileged user; that user must be able to reach the built CLI. */
const nobodyCanRunCli =
  isRoot &&
  spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)})`], { uid: NOBODY, gid: NOBODY })
    .status === 0;

describe('workspace creation and opening', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('sitter-ws-');
  });
  afterEach(() => tmp.cleanup());

  it('never overwrites an existing key, and says a second init changed nothing', async () => {
    const dir = join(tmp.dir, 'ws');
    expect((await initWorkspace(dir)).created).toBe(true);
    const key = readFileSync(join(dir, 'master.key'));
    expect(key.length).toBe(32);
    expect((await initWorkspace(dir)).created).toBe(false);
    expect(readFileSync(join(dir, 'master.key')).equals(key)).toBe(true);
  });

  it('refuses to open a workspace that lost its key, instead of making a new one', async () => {
    const dir = join(tmp.dir, 'ws');
    await initWorkspace(dir);
    rmSync(join(dir, 'master.key'));
    await expect(openWorkspace(dir)).rejects.toMatchObject({
      code: 'WORKSPACE_INCOMPLETE',
      hint: expect.stringMatching(/backup/),
    });
    await expect(initWorkspace(dir)).rejects.toMatchObject({ code: 'WORKSPACE_INCOMPLETE' });
    expect(readdirSync(dir)).not.toContain('master.key');
  });

  it('refuses to take over a non-empty folder that is not a workspace', async () => {
    const dir = join(tmp.dir, 'photos');
    mkdirSync(dir);
    writeFileSync(join(dir, 'IMG_0001.jpg'), 'x');
    await expect(initWorkspace(dir)).rejects.toMatchObject({ code: 'WORKSPACE_FOLDER_NOT_EMPTY' });
    expect(readdirSync(dir)).toEqual(['IMG_0001.jpg']);
    expect(statSync(dir).mode & 0o777).not.toBe(0o700);
  });

  it('a failed unit of work leaves no half-write', async () => {
    const dir = join(tmp.dir, 'ws');
    await initWorkspace(dir);
    const ws = await openWorkspace(dir);
    try {
      const now = new Date();
      const failing = ws.store.transaction(async (uow) => {
        uow.shoots.add({
          id: 'half',
          name: 'h',
          purpose: 'p',
          connector: 'local',
          connectorOptions: {},
          source: '/s',
          retentionDays: 1,
          reviewersRequired: 1,
          shootFrom: null,
          shootTo: null,
          utcOffset: null,
          status: 'draft',
          dpiaRef: null,
          approvedBy: null,
          approvedAt: null,
          matchThreshold: null,
          matchMargin: null,
          createdAt: now,
          closedAt: null,
        });
        await uow.audit.append(
          { actor: 't', action: 'shoot.created', shootId: 'half', subject: null, details: {} },
          now,
        );
        throw new Error('power cut');
      });
      await expect(failing).rejects.toThrow('power cut');
      expect(await ws.store.transaction((uow) => uow.shoots.list())).toEqual([]);
      expect(await ws.store.transaction((uow) => uow.audit.all())).toEqual([]);
    } finally {
      await ws.close();
    }
  });
});

describe('a workspace another process is using, or one that is read-only', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ws: string;
  let src: string;
  beforeEach(async () => {
    tmp = tempDir('sitter-ws-');
    chmodSync(tmp.dir, 0o755);
    ws = join(tmp.dir, 'ws');
    src = join(tmp.dir, 'src');
    mkdirSync(src);
    expect((await runSitter(['-w', ws, 'init'])).code).toBe(0);
    expect(
      (
        await runSitter([
          '-w',
          ws,
          'shoot',
          'create',
          'a',
          '--name',
          'A',
          '--source',
          src,
          '--purpose',
          'p',
          '--retention-days',
          '30',
          '--from',
          '2026-05-01',
          '--to',
          '2026-05-02',
        ])
      ).code,
    ).toBe(0);
  });
  afterEach(() => tmp.cleanup());

  it('a database locked by a second process gets one clear message, and nothing changes', async () => {
    await withRawDb(join(ws, 'sitter.db'), async (sql) => {
      await sql('begin immediate');
      try {
        const run = await runSitter(['-w', ws, '--json', 'shoot', 'approve', 'a', '--dpia', 'D', '--approved-by', 'X']);
        expect(run.code).toBe(1);
        expect(jsonOf(run).error).toMatchObject({
          code: 'DATABASE_LOCKED',
          hint: expect.stringMatching(/Wait for the other command/),
        });
      } finally {
        await sql('rollback');
      }
    });
    const show = jsonOf(await runSitter(['-w', ws, '--json', 'shoot', 'show', 'a']));
    expect(show).toMatchObject({ status: 'draft', dpiaRef: null });
  });

  it.runIf(nobodyCanRunCli)(
    'a read-only workspace can still be read and verified, and refuses writes with a hint',
    async () => {
      // Root ignores file modes, so run the CLI as an unprivileged user who owns a read-only copy.
      for (const f of ['', 'keys', 'sitter.db', 'master.key', 'workspace.json']) chownSync(join(ws, f), NOBODY, NOBODY);
      chmodSync(ws, 0o500);
      for (const f of ['sitter.db', 'master.key', 'workspace.json']) chmodSync(join(ws, f), 0o400);
      const asNobody = (...args: string[]) =>
        runSitter(['-w', ws, '--json', ...args], { uid: NOBODY, gid: NOBODY, cwd: tmp.dir });
      const list = await asNobody('shoot', 'list');
      expect(list.code).toBe(0);
      expect((jsonOf(list).shoots as { shoot: string }[]).map((s) => s.shoot)).toEqual(['a']);
      expect(jsonOf(await asNobody('audit', 'verify'))).toMatchObject({ ok: true, entries: 1 });
      const approve = await asNobody('shoot', 'approve', 'a', '--dpia', 'D', '--approved-by', 'X');
      expect(approve.code).toBe(1);
      expect(jsonOf(approve).error).toMatchObject({
        code: 'WORKSPACE_READ_ONLY',
        hint: expect.stringMatching(/write access/),
      });
      chmodSync(ws, 0o700);
      expect(jsonOf(await runSitter(['-w', ws, '--json', 'shoot', 'show', 'a']))).toMatchObject({ status: 'draft' });
    },
  );
});
