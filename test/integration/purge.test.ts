import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import type { FixtureParticipant } from '../helpers/consent-fixture.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedApprovedShoot, seedProposal, seedTemplate } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

const addTemplate = (t: TestWorkspace, shootId: string, participantRef: string) =>
  seedTemplate(t, shootId, participantRef);

/** What is left of a shoot's biometric data in the database file and the key folder. */
async function biometrics(root: string, shootId: string) {
  return withRawDb(join(root, 'sitter.db'), async (sql) => ({
    templates: ((await sql('select count(*) as n from template where shoot_id = ?', [shootId])) as { n: number }[])[0]!
      .n,
    embeddings: (
      (await sql('select count(*) as n from face where shoot_id = ? and embedding is not null', [shootId])) as {
        n: number;
      }[]
    )[0]!.n,
    key: existsSync(join(root, 'keys', `${shootId}.key`)),
    tombstone: existsSync(join(root, 'keys', `${shootId}.destroyed`)),
  }));
}

async function auditOf(root: string, shootId: string) {
  const run = await runSitter(['-w', root, 'audit', 'export', '--shoot', shootId]);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; subject: string; actor: string; details: Record<string, unknown> });
}

describe('retention that purges itself', () => {
  let t: TestWorkspace;
  afterEach(async () => {
    await t.cleanup();
  });

  /** A shoot approved `daysAgo` days ago with a 30-day retention, holding one template and one stored embedding. */
  async function shootApproved(
    daysAgo: number,
    people: Omit<FixtureParticipant, 'photo'>[] = [{ id: 'P1', name: 'Ada', consent: 'yes' }],
  ): Promise<void> {
    t = await makeWorkspace(new Date(Date.now() - daysAgo * DAY));
    await seedApprovedShoot(t, 's', people);
    for (const p of people) {
      await addTemplate(t, 's', p.id);
      await seedProposal(t, 's', `IMG_${p.id}.jpg`, p.id);
    }
  }

  it('shoot show says when the purge is due; the first command after it purges, on the audit chain', async () => {
    await shootApproved(10);
    const before = jsonOf(await runSitter(['-w', t.root, '--json', 'shoot', 'show', 's'])) as {
      status: string;
      approvedAt: string;
      purge: { dueAt: string; doneAt: string | null };
    };
    expect(before.status).toBe('approved');
    expect(before.purge).toEqual({
      dueAt: new Date(Date.parse(before.approvedAt) + 30 * DAY).toISOString(),
      doneAt: null,
    });
    expect((await runSitter(['-w', t.root, 'shoot', 'show', 's'])).stdout).toMatch(
      /purge: {6}due \d{4}-.* \(retention end\): automatic at the first command after it, or `sitter purge`/,
    );
    expect(await biometrics(t.root, 's')).toEqual({ templates: 1, embeddings: 1, key: true, tombstone: false });

    // 25 more days pass: the retention ended 5 days ago, and nobody ran `sitter purge`.
    await withRawDb(join(t.root, 'sitter.db'), (sql) =>
      sql("update shoot set approved_at = approved_at - ? where id = 's'", [25 * DAY]),
    );
    const next = await runSitter(['-w', t.root, 'shoot', 'list']);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(
      /Retention of shoot "s" ended on .*: 1 templates and 1 embeddings deleted, data key destroyed, shoot closed\./,
    );
    expect(await biometrics(t.root, 's')).toEqual({ templates: 0, embeddings: 0, key: false, tombstone: true });

    const audit = await auditOf(t.root, 's');
    const purged = audit.find((e) => e.action === 'shoot.retention-purged');
    expect(purged?.details).toMatchObject({
      automatic: true,
      retentionDays: 30,
      templatesDeleted: 1,
      embeddingsDeleted: 1,
    });
    const actions = audit.map((e) => e.action);
    expect(actions.indexOf('shoot.key-destroyed')).toBe(actions.indexOf('shoot.retention-purged') + 1);
    expect(jsonOf(await runSitter(['-w', t.root, '--json', 'audit', 'verify']))).toMatchObject({ ok: true });

    const after = jsonOf(await runSitter(['-w', t.root, '--json', 'shoot', 'show', 's'])) as {
      status: string;
      purge: { doneAt: string | null };
    };
    expect(after).toMatchObject({ status: 'closed', purge: { doneAt: expect.any(String) } });
    // Done once: nothing is due any more, and no second entry is written.
    expect(jsonOf(await runSitter(['-w', t.root, '--json', 'purge']))).toEqual({
      retention: [],
      consent: [],
      blocked: [],
    });
    expect((await auditOf(t.root, 's')).filter((e) => e.action === 'shoot.retention-purged')).toHaveLength(1);
  });

  it('sitter purge (for cron) does the due purge itself and reports it', async () => {
    await shootApproved(40);
    const run = await runSitter(['-w', t.root, '--json', 'purge']);
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOf(run)).toEqual({
      retention: [
        {
          shoot: 's',
          retentionEnded: expect.any(String),
          templatesDeleted: 1,
          embeddingsDeleted: 1,
          keyDestroyed: true,
        },
      ],
      consent: [],
      blocked: [],
    });
    expect(await biometrics(t.root, 's')).toEqual({ templates: 0, embeddings: 0, key: false, tombstone: true });
    const text = await runSitter(['-w', t.root, 'purge']);
    expect(text.stdout).toMatch(/Nothing to purge/);
  });

  it('consent that expired is applied per participant at the next command, without waiting for enrol, scan or push', async () => {
    // Ada's consent ran until yesterday; Bea's still holds.
    await shootApproved(5, [
      { id: 'P1', name: 'Ada', consent: 'yes', expires: isoDay(-1) },
      { id: 'P2', name: 'Bea', consent: 'yes' },
    ]);
    const run = await runSitter(['-w', t.root, '--json', 'purge']);
    expect(jsonOf(run)).toEqual({
      retention: [],
      consent: [{ shoot: 's', participants: ['P1'], templatesDeleted: 1, matchesRevoked: 1 }],
      blocked: [],
    });
    const left = await withRawDb(join(t.root, 'sitter.db'), (sql) =>
      sql('select p.external_ref as ref from template t join participant p on p.id = t.participant_id'),
    );
    expect(left).toEqual([{ ref: 'P2' }]);
    expect((await auditOf(t.root, 's')).find((e) => e.action === 'consent.lapsed')).toMatchObject({
      subject: expect.stringMatching(/^participant:#\d+$/),
      details: { status: 'expired' },
    });
    // The shoot itself stays open: only retention closes it.
    expect(jsonOf(await runSitter(['-w', t.root, '--json', 'shoot', 'show', 's']))).toMatchObject({
      status: 'approved',
    });
  });
});
