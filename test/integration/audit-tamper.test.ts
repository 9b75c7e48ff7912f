import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { createArgs } from '../helpers/shoot-cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/workspace.js';
import { mkdirSync } from 'node:fs';

/**
 * Rule 7 against the real database file: rows are edited, deleted and reordered with SQL behind
 * Sitter's back, and `sitter audit verify` must name the exact entry.
 */
describe('audit verify on a tampered database file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ws: string;
  const sitter = (...args: string[]) => runSitter(['--workspace', ws, '--json', ...args]);

  beforeEach(async () => {
    tmp = tempDir('sitter-audit-');
    ws = join(tmp.dir, 'ws');
    expect((await sitter('init')).code).toBe(0);
    // Five entries: created x3, approved x2. Each shoot has its own folder: open shoots never overlap.
    for (const id of ['a', 'b', 'c']) {
      const src = join(tmp.dir, `src-${id}`);
      mkdirSync(src);
      expect((await sitter(...createArgs(id, src))).code).toBe(0);
    }
    for (const id of ['a', 'b'])
      expect((await sitter('shoot', 'approve', id, '--dpia', 'D', '--approved-by', 'X')).code).toBe(0);
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true, entries: 5 });
  });
  afterEach(() => tmp.cleanup());

  const db = () => join(ws, 'sitter.db');

  it('names an edited entry', async () => {
    await withRawDb(db(), (sql) => sql("update audit_event set actor = 'someone-else' where seq = 3"));
    const run = await sitter('audit', 'verify');
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/altered/) });
  });

  it('names an entry whose details were edited', async () => {
    await withRawDb(db(), (sql) =>
      sql(`update audit_event set details = '{"dpiaRef":"FORGED","approvedBy":"X"}' where seq = 4`),
    );
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('names a deleted entry', async () => {
    await withRawDb(db(), (sql) => sql('delete from audit_event where seq = 2'));
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({
      ok: false,
      firstBadSeq: 2,
      reason: expect.stringMatching(/missing/),
    });
  });

  it('names the first of two reordered entries', async () => {
    await withRawDb(db(), async (sql) => {
      await sql('update audit_event set seq = 100 where seq = 2');
      await sql('update audit_event set seq = 2 where seq = 3');
      await sql('update audit_event set seq = 3 where seq = 100');
    });
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it('names an entry whose hash was recomputed to hide an edit, by the broken link after it', async () => {
    const { auditHash } = await import('../../src/core/domain/audit.js');
    await withRawDb(db(), async (sql) => {
      const [row] = (await sql('select * from audit_event where seq = 2')) as Record<string, unknown>[];
      const forged = {
        seq: 2,
        at: new Date(Number(row!.at)),
        actor: 'mallory',
        action: String(row!.action),
        shootId: row!.shoot_id as string,
        subject: row!.subject as string,
        details: JSON.parse(String(row!.details)) as Record<string, unknown>,
        prevHash: String(row!.prev_hash),
      };
      await sql('update audit_event set actor = ?, hash = ? where seq = 2', ['mallory', auditHash(forged)]);
    });
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({
      ok: false,
      firstBadSeq: 3,
      reason: expect.stringMatching(/does not link/),
    });
  });

  describe('anchors kept outside the workspace make a cut-off chain detectable', () => {
    it('every head printed (verify, export) is an anchor the intact chain reaches', async () => {
      const head = String(jsonOf(await sitter('audit', 'verify')).head);
      expect(head).toMatch(/^[0-9a-f]{64}@5$/);
      const exported = await runSitter(['--workspace', ws, 'audit', 'export']);
      expect(exported.stderr).toMatch(/Head \(keep it outside the workspace\): [0-9a-f]{64}@6/);
      const exportHead = /([0-9a-f]{64}@6)/.exec(exported.stderr)![1]!;
      for (const anchor of [head, exportHead]) {
        const run = await sitter('audit', 'verify', '--anchor', anchor);
        expect(run.code).toBe(0);
        expect(jsonOf(run)).toMatchObject({ ok: true, anchor: { ok: true, anchor } });
      }
    });

    it('fails when the newest entries were deleted, which verify alone calls intact', async () => {
      const head = String(jsonOf(await sitter('audit', 'verify')).head);
      await withRawDb(db(), (sql) => sql('delete from audit_event where seq >= 4'));
      expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true, entries: 3 });
      const run = await sitter('audit', 'verify', '--anchor', head);
      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({
        ok: true,
        anchor: { ok: false, reason: expect.stringMatching(/ends at entry 3, before the anchored entry 5/) },
      });
      const text = await runSitter(['--workspace', ws, 'audit', 'verify', '--anchor', head]);
      expect(text.stdout).toMatch(/does NOT reach anchor/);
    });

    it('fails when the chain was rebuilt with different entries up to the anchored number', async () => {
      const head = String(jsonOf(await sitter('audit', 'verify')).head);
      const [hash] = head.split('@');
      await withRawDb(db(), (sql) => sql('delete from audit_event where seq >= 4'));
      // The same number of entries again, written after the cut: the chain links, but it is another record.
      for (const id of ['d', 'e']) {
        const src = join(tmp.dir, `src-${id}`);
        mkdirSync(src);
        expect((await sitter(...createArgs(id, src))).code).toBe(0);
      }
      const run = await sitter('audit', 'verify', '--anchor', head);
      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({
        ok: true,
        entries: 5,
        anchor: { ok: false, reason: expect.stringContaining(`not the anchored ${hash}`) },
      });
    });

    it('refuses a malformed anchor with a hint', async () => {
      const run = await sitter('audit', 'verify', '--anchor', 'abc@x');
      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({ error: { code: 'BAD_ANCHOR', hint: expect.stringMatching(/HASH@SEQ/) } });
    });
  });
});
