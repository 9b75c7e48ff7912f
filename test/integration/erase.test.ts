import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import type { Store, UnitOfWork } from '../../src/core/ports/store.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { eraseParticipant } from '../../src/core/services/erase-service.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedProposal, seedPushedPair } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/** The printable runs of 4 or more bytes (as `strings` prints them) that name the reference (as a whole token) or the name. */
function textRunsNaming(bytes: Buffer, ref: string, name: string): string[] {
  const token = new RegExp(`(^|[^A-Za-z0-9_-])${ref}($|[^A-Za-z0-9_-])`);
  return (bytes.toString('latin1').match(/[\x20-\x7e]{4,}/g) ?? []).filter(
    (run) => token.test(run) || run.includes(name),
  );
}

interface Trace {
  place: string;
  what: string;
}
interface Receipt {
  pseudonym: string;
  withdrawnNow: boolean;
  legalHold: { reason: string } | null;
  templatesDeleted: number;
  removed: {
    consentRecords: number;
    decisions: number;
    rejections: number;
    faces: number;
    pushRecords: number;
    participantRow: string;
  };
  verification: { clean: boolean; checked: string[]; traces: Trace[]; keptUnderHold: Trace[]; unverified: Trace[] };
  anchor: string;
}

/**
 * The store as a kill -9 leaves it between the erasure's commits: every transaction runs for real,
 * and the one that writes the receipt dies before it commits (rolled back, as a killed process's is).
 */
function killedBeforeReceipt(store: Store): Store {
  const dies = (uow: UnitOfWork): UnitOfWork => ({
    ...uow,
    audit: {
      ...uow.audit,
      append: (event, at) => {
        if (event.action === 'participant.erasure-receipt') throw new Error('killed before the receipt committed');
        return uow.audit.append(event, at);
      },
    },
  });
  return { ...store, transaction: (work) => store.transaction((uow) => work(dies(uow))) };
}

/**
 * GDPR Art. 17 through the real CLI on a real workspace: what erasure removes, what a legal hold
 * keeps, and the proof at the end, checked against the database file and the sidecars read back.
 */
describe('sitter erase', () => {
  let t: TestWorkspace;
  let source = '';
  const connector = wrapConnector(createLocalConnector({}));
  const sitter = (...args: string[]) => runSitter(['--workspace', t.root, '--json', ...args]);
  const db = () => join(t.root, 'sitter.db');

  beforeEach(async () => {
    // Today's clock: the CLI runs with the real one, and a workspace seeded months ago would have its
    // retention purge (templates deleted) run first, at the CLI's workspace open.
    t = await makeWorkspace(new Date());
    // P1 is confirmed on a.jpg (with P2) and on b.jpg, and a reviewer said "not P1" on c.jpg (a rejection with a box).
    const seeded = await seedPushedPair(t, connector, ['c.jpg']);
    source = seeded.source;
    expect(seeded.pushed.written).toBe(2);
    const doubt = await seedProposal(t, 's', 'c.jpg', 'P1', 0.6);
    await decideFace(t.ctx, 's', doubt.id, { kind: 'reject' }, 'Rita');
  });
  afterEach(async () => {
    await t.cleanup();
  });
  afterAll(async () => {
    await exiftool.end();
  });

  it('removes the consent record, names and boxes, clears the sidecars, proves it, and the chain still verifies', async () => {
    const run = await sitter('erase', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as unknown as Receipt;
    expect(r).toMatchObject({
      pseudonym: expect.stringMatching(/^#\d+$/),
      withdrawnNow: true,
      legalHold: null,
      templatesDeleted: 2,
    });
    // The two faces that were P1 go; the face a reviewer said is not P1 stays (someone else), its "not P1" goes.
    expect(r.removed).toMatchObject({
      rejections: 1,
      decisions: 3,
      faces: 2,
      pushRecords: 2,
      participantRow: 'blanked',
    });
    expect(r.removed.consentRecords).toBeGreaterThanOrEqual(2); // the signed record and the withdrawal version
    expect(r.verification).toMatchObject({ clean: true, traces: [], unverified: [], keptUnderHold: [] });
    expect(r.verification.checked.join(' ')).toMatch(/sidecars and leftover temp files/);

    // The sidecars, read back by exiftool: P1 gone, P2 kept; b.jpg had only P1 and its sidecar is gone.
    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ben Staying']);
    expect(readFileSync(join(source, 'a.jpg.xmp'), 'utf8')).not.toMatch(/Ada Leaving|consent:s:P1\b/);
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);

    // The database file, read with plain SQL: no row names or links to the person.
    await withRawDb(db(), async (sql) => {
      const id = Number(r.pseudonym.slice(1));
      expect(await sql('select external_ref, display_name, guardian from participant where id = ?', [id])).toEqual([
        { external_ref: `erased:${r.pseudonym}`, display_name: '', guardian: null },
      ]);
      for (const [table, column] of [
        ['consent_record', 'participant_id'],
        ['template', 'participant_id'],
        ['face', 'participant_id'],
        ['decision', 'participant_id'],
        ['decision', 'previous_participant_id'],
        ['rejection', 'participant_id'],
      ]) {
        expect(await sql(`select id from ${table} where ${column} = ?`, [id]), `${table}.${column}`).toEqual([]);
      }
      const named = await sql(
        "select seq from audit_event where subject like '%P1%' or details like '%P1%' or details like '%Ada Leaving%'",
      );
      expect(named).toEqual([]);
      // What Sitter wrote where is gone with the places it named: the consent URI holds the reference.
      expect(
        await sql('select id from push_record where participant_id = ? or consent_uri like ?', [id, '%P1%']),
      ).toEqual([]);
    });
    // The whole file, as `strings sitter.db | grep` would read it (secure_delete: deleted rows leave no bytes).
    expect(textRunsNaming(readFileSync(db()), 'P1', 'Ada Leaving')).toEqual([]);
    expect(r.verification.checked.join(' ')).toMatch(/push records/);
    // Nobody lists the erased row, and the chain (which only ever had the pseudonym) still verifies.
    const roster = jsonOf(await sitter('consent', 'list', 's')) as { participants: { participant: string }[] };
    expect(roster.participants.map((p) => p.participant)).toEqual(['P2']);
    const verify = await sitter('audit', 'verify', '--anchor', r.anchor);
    expect(verify.code).toBe(0);
    expect(jsonOf(verify)).toMatchObject({ ok: true, anchor: { ok: true } });
    // Asked again: already erased, with the receipt's anchor (found by a digest of shoot and reference, naming nobody).
    const again = await sitter('erase', 's', 'P1');
    expect(again.code).toBe(1);
    expect(jsonOf(again)).toMatchObject({
      error: { code: 'ALREADY_ERASED', details: { participant: r.pseudonym, receipt: r.anchor } },
    });
    expect((jsonOf(again).error as { hint: string }).hint).toContain(`sitter audit verify --anchor ${r.anchor}`);
    expect(jsonOf(await sitter('erase', 's', 'P9'))).toMatchObject({ error: { code: 'PARTICIPANT_NOT_FOUND' } });
  });

  it('the text receipt prints the verification and the audit anchor', async () => {
    const run = await runSitter(['--workspace', t.root, 'erase', 's', 'P1']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/verification: +nothing Sitter wrote names the person any more/);
    expect(run.stdout).toMatch(/audit anchor: +[0-9a-f]{64}@\d+/);
    expect(run.stdout).toContain("other people's push records");
    expect(run.stdout).not.toContain("people' ");
    expect(run.stdout).not.toContain('Ada Leaving');
  });

  it('under a legal hold the text receipt says what was verified and what the hold keeps, not that nothing names the person', async () => {
    expect((await sitter('shoot', 'hold', 's', '--reason', 'claim 2026-114')).code).toBe(0);
    const run = await runSitter(['--workspace', t.root, 'erase', 's', 'P1']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/nothing Sitter wrote names the person any more/);
    expect(run.stdout).toMatch(
      /verification: +no file Sitter wrote, no biometric, face or match row and no audit entry names the person; the legal hold KEEPS \d+ rows that do/,
    );
    expect(run.stdout).toMatch(
      /kept under the legal hold:\n(\s+- (participants|consent_record|decision|rejection|push_record) row \d+: .+\n)+/,
    );
  });

  it('erases someone who had already withdrawn', async () => {
    expect((await sitter('withdraw', 's', 'P1')).code).toBe(0);
    const run = await sitter('erase', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOf(run)).toMatchObject({
      withdrawnNow: false,
      removed: { participantRow: 'blanked' },
      verification: { clean: true },
    });
  });

  it('under a legal hold: biometrics and sidecar names go, the consent record and names stay, and the receipt says so', async () => {
    const held = await sitter('shoot', 'hold', 's', '--reason', 'claim 2026-114', '--by', 'Counsel Ray');
    expect(held.code, held.stdout).toBe(0);
    expect(jsonOf(await sitter('shoot', 'show', 's'))).toMatchObject({
      legalHold: { reason: 'claim 2026-114', by: 'Counsel Ray' },
    });
    expect(jsonOf(await sitter('shoot', 'hold', 's', '--reason', 'again'))).toMatchObject({
      error: { code: 'HOLD_ALREADY_SET' },
    });

    const run = await sitter('erase', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    const r = jsonOf(run) as unknown as Receipt;
    expect(r.legalHold).toMatchObject({ reason: 'claim 2026-114' });
    expect(r.removed).toEqual({
      consentRecords: 0,
      decisions: 0,
      rejections: 0,
      faces: 0,
      pushRecords: 0,
      participantRow: 'kept under legal hold',
    });
    expect(r.templatesDeleted).toBe(2);
    expect(r.verification.clean).toBe(true);
    expect(r.verification.keptUnderHold.map((k) => k.what)).toEqual(
      expect.arrayContaining(['name', 'consent record', 'record of where Sitter wrote the name (cleared)']),
    );
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);
    const roster = jsonOf(await sitter('consent', 'list', 's')) as {
      participants: { participant: string; status: string }[];
    };
    expect(roster.participants.find((p) => p.participant === 'P1')?.status).toBe('withdrawn');
    const actions = (await runSitter(['--workspace', t.root, 'audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(
      expect.arrayContaining(['shoot.hold-set', 'participant.erasure-held', 'participant.erasure-receipt']),
    );

    expect((await sitter('shoot', 'hold', 's', '--release')).code).toBe(0);
    expect(jsonOf(await sitter('shoot', 'show', 's'))).toMatchObject({ legalHold: null });
    // Once released, the erasure can be completed.
    expect(jsonOf(await sitter('erase', 's', 'P1'))).toMatchObject({
      removed: { participantRow: 'blanked' },
      verification: { clean: true },
    });
  });

  it('a place that could not be cleared keeps its push record, and the receipt reports it: exit 1', async () => {
    // a.jpg's sidecar broken by another tool: Sitter never rewrites user data it cannot parse, so P1 stays there.
    writeFileSync(join(source, 'a.jpg.xmp'), `${readFileSync(join(source, 'a.jpg.xmp'), 'utf8')}<unclosed>`);
    const run = await sitter('erase', 's', 'P1');
    expect(run.code).toBe(1);
    const r = jsonOf(run) as unknown as Receipt;
    expect(r.removed.pushRecords).toBe(1); // b.jpg's, cleared
    expect(r.verification.clean).toBe(false);
    expect(r.verification.traces).toEqual(
      expect.arrayContaining([
        {
          place: expect.stringMatching(/^push_record row \d+ \(.*a\.jpg\.xmp still names the person: not cleared\)$/),
          what: 'consent URI',
        },
      ]),
    );
    await withRawDb(db(), async (sql) =>
      expect(
        await sql("select connector_asset_id from push_record where consent_uri like '%:P1' and cleared_at is null"),
      ).toEqual([{ connector_asset_id: 'a.jpg' }]),
    );
  });

  it('a temp sidecar a killed push left is removed by the erasure, and the receipt is clean', async () => {
    // pid 2^22+1 is above Linux's pid_max: no process of that id is running, as after a kill -9.
    const leftover = join(source, '.a.jpg.xmp.sitter-4194305-deadbeef0000.tmp');
    writeFileSync(leftover, '<x:xmpmeta><rdf:li>Ada Leaving</rdf:li></x:xmpmeta>');
    const run = await sitter('erase', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    expect(existsSync(leftover)).toBe(false);
    expect((jsonOf(run) as unknown as Receipt).verification).toMatchObject({ clean: true, traces: [] });
  });

  it('a temp sidecar of a push still running (a live process) is not touched but found and reported: exit 1', async () => {
    const inFlight = join(source, `.a.jpg.xmp.sitter-${process.pid}-deadbeef0001.tmp`);
    writeFileSync(inFlight, '<x:xmpmeta><rdf:li>Ada Leaving</rdf:li></x:xmpmeta>');
    const run = await sitter('erase', 's', 'P1');
    expect(run.code).toBe(1);
    expect(existsSync(inFlight)).toBe(true);
    const r = jsonOf(run) as unknown as Receipt;
    expect(r.verification.clean).toBe(false);
    expect(r.verification.traces).toEqual([{ place: inFlight, what: 'name' }]);
  });

  it('an audit entry written before pseudonymous references is reported, and the chain is left intact', async () => {
    // As an older Sitter wrote it: the participant's reference and name in the chain.
    await t.ws.store.transaction((uow) =>
      uow.audit.append(
        {
          actor: 'old-sitter',
          action: 'consent.withdrawal-receipt',
          shootId: 's',
          subject: 'participant:P1',
          details: { name: 'Ada Leaving' },
        },
        new Date(),
      ),
    );
    const run = await sitter('erase', 's', 'P1');
    expect(run.code).toBe(1);
    const r = jsonOf(run) as unknown as Receipt;
    expect(r.verification.traces.map((x) => x.what).sort()).toEqual(['name', 'reference']);
    expect(r.verification.traces[0]!.place).toMatch(
      /^audit entry \d+ \(consent.withdrawal-receipt, written before pseudonymous references\)$/,
    );
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true });
  });

  /**
   * Interrupted after the person's records were removed and before its receipt (the reliability
   * campaign's finding): the rerun finds the erasure by a digest of shoot and reference and writes
   * the receipt with its proof.
   */
  describe('interrupted before its receipt', () => {
    beforeEach(async () => {
      await expect(
        eraseParticipant({ ...t.ctx, store: killedBeforeReceipt(t.ctx.store) }, connector, 's', 'P1'),
      ).rejects.toThrow('killed before the receipt committed');
    });

    it('leaves the person blanked and the erasure pending, which every command says, with the command to finish it', async () => {
      await withRawDb(db(), async (sql) => {
        expect(await sql("select count(*) as n from participant where external_ref = 'P1'")).toEqual([{ n: 0 }]);
        expect(await sql('select count(*) as n from erasure where pending_since is not null')).toEqual([{ n: 1 }]);
        expect(await sql("select count(*) as n from audit_event where action = 'participant.erasure-receipt'")).toEqual(
          [{ n: 0 }],
        );
      });
      const show = await sitter('shoot', 'show', 's');
      expect(show.code).toBe(0);
      expect(show.stderr).toMatch(
        /An erasure in shoot "s" \(#\d+, .+\) was interrupted before its receipt: run `sitter erase s REFERENCE` again/,
      );
      expect(show.stderr).not.toContain('P1');
    });

    it('a rerun writes the receipt with its proof (outcome completed), the pending mark goes, and a third run says already erased', async () => {
      const rerun = await sitter('erase', 's', 'P1');
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      const r = jsonOf(rerun) as { pseudonym: string; anchor: string; outcome: string; verification: unknown };
      expect(r).toMatchObject({
        outcome: 'completed',
        removed: { participantRow: 'blanked', faces: 2 },
        verification: { clean: true, traces: [], unverified: [] },
      });
      expect(JSON.stringify(r.verification)).toMatch(/interrupted before its receipt/);
      // The sidecars read back: P1 is not named, P2 still is.
      const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
      expect(tags.PersonInImage).toEqual(['Ben Staying']);
      expect(readFileSync(join(source, 'a.jpg.xmp'), 'utf8')).not.toMatch(/Ada Leaving|consent:s:P1\b/);
      await withRawDb(db(), async (sql) => {
        expect(await sql('select count(*) as n from erasure where pending_since is not null')).toEqual([{ n: 0 }]);
        const receipts = (await sql(
          "select details from audit_event where action = 'participant.erasure-receipt'",
        )) as {
          details: string;
        }[];
        expect(receipts).toHaveLength(1);
        expect(JSON.parse(receipts[0]!.details)).toMatchObject({ participant: r.pseudonym, outcome: 'completed' });
      });
      expect(jsonOf(await sitter('audit', 'verify', '--anchor', r.anchor))).toMatchObject({
        ok: true,
        anchor: { ok: true },
      });
      const show = await sitter('shoot', 'show', 's');
      expect(show.stderr).not.toMatch(/interrupted before its receipt/);
      const third = await sitter('erase', 's', 'P1');
      expect(third.code).toBe(1);
      expect(jsonOf(third)).toMatchObject({ error: { code: 'ALREADY_ERASED', details: { receipt: r.anchor } } });
    });

    it('the text receipt says this run completed an interrupted erasure', async () => {
      const run = await runSitter(['--workspace', t.root, 'erase', 's', 'P1']);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/COMPLETED NOW: +an erasure interrupted before its receipt/);
      expect(run.stdout).toMatch(/verification: +nothing Sitter wrote names the person any more/);
    });
  });
});
