import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { CONSENT_URI_PREFIX } from '../../src/core/domain/consent-uri.js';
import { SitterError } from '../../src/core/domain/errors.js';
import type { Connector } from '../../src/core/ports/connector.js';
import { OUTPUT_SCHEMAS } from '../../src/tui/output-schemas/index.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedConfirmedFaces, seedPushedPair } from '../helpers/seed.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import { commitWithdrawal, withdrawConsent } from '../../src/core/services/withdraw-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * `sitter withdraw` reads the source back after its update (contract 3 `readWritten`) and says what
 * it saw: `verifiedInSource`. The shoot's connector is a test plugin (test/fixtures/dam-plugins/
 * awkward-dam: the example JSON-sidecar connector) that can behave like a DAM that queues edits for
 * approval, one that answers "written" and stores nothing, or one with no read-back.
 */
const PLUGINS = resolve(import.meta.dirname, '../fixtures/dam-plugins');
const PLUGIN_ENTRY = pathToFileURL(join(PLUGINS, 'awkward-dam/index.js')).href;

interface Receipt {
  verifiedInSource: string;
  sourceCheck: {
    assets: number;
    stillNamed: string[];
    pendingApproval: string[];
    notVerifiable: string[];
    hint?: string;
  };
  damFailures: unknown[];
}

describe('sitter withdraw verifies in the source what the DAM now holds', () => {
  let t: TestWorkspace;
  let source = '';
  const cli = (...args: string[]) => runSitter(['-w', t.root, '--json', ...args], { env: { SITTER_PLUGINS: PLUGINS } });
  const text = (...args: string[]) => runSitter(['-w', t.root, ...args], { env: { SITTER_PLUGINS: PLUGINS } });

  /** P1 named on a.jpg (with P2) and b.jpg through the plugin, which then behaves as `mode` says. */
  async function pushedThenBehaving(
    mode: 'honest' | 'queue' | 'ignore' | 'blind' | 'locked' | 'no-sweep',
  ): Promise<void> {
    const { default: create } = (await import(PLUGIN_ENTRY)) as {
      default: (options: Record<string, unknown>, host: unknown) => Connector;
    };
    const host = { SitterError, consentUriPrefix: CONSENT_URI_PREFIX };
    const seeded = await seedPushedPair(t, wrapConnector(create({ mode: 'honest' }, host)));
    expect(seeded.pushed.written).toBe(2);
    source = seeded.source;
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector = 'awkward-dam', connector_options = '{"mode":"${mode}"}' where id = 's'`),
    );
  }

  /** `sitter withdraw s P1 --json` on a DAM behaving as `mode`: the exit code and the receipt. */
  async function withdrawP1(
    mode: 'honest' | 'ignore' | 'blind' | 'no-sweep',
  ): Promise<{ code: number | null; r: Receipt }> {
    await pushedThenBehaving(mode);
    const run = await cli('withdraw', 's', 'P1');
    return { code: run.code, r: jsonOf(run) as unknown as Receipt };
  }

  /** `sitter withdraw s P1` again: it checks the earlier receipt again, reads both assets back, clean, exit 0 */
  async function rerunVerifiesBothClean(): Promise<void> {
    const run = await cli('withdraw', 's', 'P1');
    const r = jsonOf(run) as unknown as Receipt & { outcome: string };
    expect(r.outcome).toBe('rechecked');
    expect(r.sourceCheck.assets).toBe(2);
    expect(r.verifiedInSource).toBe('clean');
    expect(run.code).toBe(0);
  }

  /** the test plugin as a connector, behaving as `mode` says */
  async function pluginDam(): Promise<(mode: string) => Connector> {
    const { default: create } = (await import(PLUGIN_ENTRY)) as {
      default: (options: Record<string, unknown>, host: unknown) => Connector;
    };
    const host = { SitterError, consentUriPrefix: CONSENT_URI_PREFIX };
    return (mode) => wrapConnector(create({ mode }, host));
  }

  /** the plugin's sidecar of an asset, '' when it has none (cleared) */
  const sidecarOf = (asset: string) =>
    existsSync(join(source, `${asset}.json`)) ? readFileSync(join(source, `${asset}.json`), 'utf8') : '';

  beforeEach(async () => {
    t = await makeWorkspace(new Date());
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('an honest DAM: both assets read back, nothing names P1, the receipt says clean and the command exits 0', async () => {
    const { code, r } = await withdrawP1('honest');
    expect(code).toBe(0);
    expect(r.verifiedInSource).toBe('clean');
    expect(r.sourceCheck).toEqual({
      verdict: 'clean',
      assets: 2,
      stillNamed: [],
      pendingApproval: [],
      notVerifiable: [],
      otherMentions: [],
    });
  }, 60_000);

  it('a failed sweep of leftover temp files is reported as that, not as a DAM never reached: the receipt counts as having reached it', async () => {
    const { code, r } = await withdrawP1('no-sweep');
    // the assets were written and read back clean; only the sweep failed, so the command still exits 1
    expect(code).toBe(1);
    expect(r.verifiedInSource).toBe('clean');
    expect(r.sourceCheck.assets).toBe(2);
    expect(r.damFailures).toEqual([
      expect.objectContaining({
        asset: '*',
        stage: 'leftovers',
        code: 'CONNECTOR_IO',
        hint: 'Check the folder permissions.',
      }),
    ]);
    // A rerun sweeps again (the leftovers may name P1), and says what failed: not the DAM unreached.
    const again = await text('withdraw', 's', 'P1');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('the temp files a killed push left');
    expect(again.stdout).not.toContain('NOT REACHED');
    expect(again.stdout).toMatch(
      /TEMP FILES NOT REMOVED: \*: Connector "awkward-dam".*the temp files could not be listed \(Check the folder permissions\.\)/,
    );
    // Once the sweep works, the next rerun checks the withdrawal again and finishes clean.
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector_options = '{"mode":"honest"}' where id = 's'`),
    );
    const fixed = await cli('withdraw', 's', 'P1');
    expect(jsonOf(fixed)).toMatchObject({ outcome: 'rechecked', damFailures: [], verifiedInSource: 'clean' });
    expect(fixed.code).toBe(0);
  }, 60_000);

  it('an erasure whose sweep of temp files fails reports it in the shape its published schema allows', async () => {
    await pushedThenBehaving('no-sweep');
    const run = await cli('erase', 's', 'P1');
    const receipt = jsonOf(run);
    expect(receipt).toMatchObject({ damFailures: [{ asset: '*', stage: 'leftovers', code: 'CONNECTOR_IO' }] });
    expect(OUTPUT_SCHEMAS.erase!.safeParse(receipt).success).toBe(true);
  }, 60_000);

  it('a DAM that answers "written" but stores nothing: still-named, exit 1, with a hint', async () => {
    const { code, r } = await withdrawP1('ignore');
    expect(code).toBe(1);
    expect(r.damFailures).toEqual([]);
    expect(r.verifiedInSource).toBe('still-named');
    expect(r.sourceCheck.stillNamed.sort()).toEqual([join(source, 'a.jpg.json'), join(source, 'b.jpg.json')]);
    expect(r.sourceCheck.hint).toContain('The DAM did not take the removal');
    expect(r.sourceCheck.hint).toContain('run sitter withdraw s P1 again');
  }, 60_000);

  it('a rerun after a receipt that said still-named updates and reads back again: still named while the DAM ignores it, clean once it takes it', async () => {
    const { code } = await withdrawP1('ignore');
    expect(code).toBe(1);
    // The push records were closed (the DAM answered "written"), yet the rerun is not "already complete".
    const stillIgnoring = await cli('withdraw', 's', 'P1');
    expect(stillIgnoring.code).toBe(1);
    const again = jsonOf(stillIgnoring) as unknown as Receipt & { outcome: string };
    expect(again.outcome).toBe('rechecked');
    expect(stillIgnoring.stdout).not.toContain('interrupted');
    expect(again.verifiedInSource).toBe('still-named');
    expect(again.sourceCheck.stillNamed.sort()).toEqual([join(source, 'a.jpg.json'), join(source, 'b.jpg.json')]);
    // The DAM is fixed: the rerun writes both assets again and verifies them clean.
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector_options = '{"mode":"honest"}' where id = 's'`),
    );
    const fixed = await cli('withdraw', 's', 'P1');
    expect(fixed.code).toBe(0);
    const done = jsonOf(fixed) as unknown as Receipt & { outcome: string };
    expect(done.outcome).toBe('rechecked');
    expect(done.verifiedInSource).toBe('clean');
    expect(done.sourceCheck.assets).toBe(2);
    // and only now is a further rerun "already complete", pointing at this clean receipt
    const after = jsonOf(await cli('withdraw', 's', 'P1')) as unknown as { outcome: string };
    expect(after.outcome).toBe('already-complete');
  }, 90_000);

  it('a rerun that could not reach the DAM in between does not make the next one forget the assets to check', async () => {
    expect((await withdrawP1('ignore')).code).toBe(1);
    await withRawDb(t.ws.paths.database, (sql) => sql(`update shoot set connector = 'no-such-dam' where id = 's'`));
    const unreached = jsonOf(await cli('withdraw', 's', 'P1')) as unknown as Receipt & { outcome: string };
    expect(unreached.outcome).toBe('dam-pending');
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector = 'awkward-dam', connector_options = '{"mode":"honest"}' where id = 's'`),
    );
    // it checks again what the first run (which reached the DAM) left: both assets written again and
    // read back (a clean verdict on 0 assets would be a false receipt)
    await rerunVerifiesBothClean();
  }, 90_000);

  it('a connector without a read-back: a rerun pushes nothing again, and still says the DAM was never verified (exit 1)', async () => {
    expect((await withdrawP1('blind')).code).toBe(1);
    const rerun = await cli('withdraw', 's', 'P1');
    expect(rerun.code).toBe(1);
    const r = jsonOf(rerun) as unknown as Receipt & { outcome: string; audit: { seq: number } };
    expect(r.outcome).toBe('already-complete');
    expect(r.verifiedInSource).toBe('not-verifiable');
    // no new push, no new receipt: the chain ends where the first run left it
    expect((jsonOf(await cli('withdraw', 's', 'P1')) as { audit: { seq: number } }).audit.seq).toBe(r.audit.seq);
  }, 60_000);

  it('a connector that can read back by the rerun (a plugin upgraded): the rerun reads back what the first could not', async () => {
    expect((await withdrawP1('blind')).code).toBe(1);
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector_options = '{"mode":"honest"}' where id = 's'`),
    );
    await rerunVerifiesBothClean();
  }, 60_000);

  it('a withdrawal with no receipt yet (killed, or by consent import) whose DAM kept the name: the rerun reads back every asset Sitter wrote them on', async () => {
    const dam = await pluginDam();
    source = (await seedPushedPair(t, dam('honest'))).source;
    // committed, its DAM update answered "written" but kept the name, and no receipt: the records are closed
    const staged = await commitWithdrawal(t.ctx, 's', 'P1');
    await pushShoot(t.ctx, dam('ignore'), 's', { assetIds: staged.cascade.affectedAssetIds, reason: 'withdrawal' });
    const still = await withdrawConsent(t.ctx, dam('ignore'), 's', 'P1');
    expect(still.outcome).toBe('completed');
    expect(still.sourceCheck?.assets).toBe(2);
    expect(still.verifiedInSource).toBe('still-named');
    const fixed = await withdrawConsent(t.ctx, dam('honest'), 's', 'P1');
    expect(fixed.verifiedInSource).toBe('clean');
    expect(['a.jpg', 'b.jpg'].filter((f) => sidecarOf(f).includes(':P1'))).toEqual([]);
  }, 60_000);

  it('a first run whose DAM update stopped partway: the rerun still reads back and clears every asset of the withdrawal', async () => {
    const dam = await pluginDam();
    source = (await seedPushedPair(t, dam('honest'))).source;
    // The DAM answers "written" for a.jpg and keeps the name; on b.jpg the update stops (a full disk).
    const ignoring = dam('ignore');
    const stopsAtB = <A extends unknown[], R>(
      f: (source: string, req: { assetId: string }, ...rest: A) => Promise<R>,
    ) =>
      (async (src: string, req: { assetId: string }, ...rest: A) => {
        if (req.assetId === 'b.jpg') throw new SitterError('DISK_FULL', 'There is no space left on the disk.');
        return f(src, req, ...rest);
      }) as typeof f;
    const stopping = {
      ...ignoring,
      push: stopsAtB(ignoring.push.bind(ignoring) as never),
      ...(ignoring.clear ? { clear: stopsAtB(ignoring.clear.bind(ignoring) as never) } : {}),
    } as Connector;
    const first = await withdrawConsent(t.ctx, stopping, 's', 'P1');
    expect(first.verifiedInSource).toBe('still-named');
    expect(first.damFailures.map((f) => f.asset)).toEqual(['*']);
    const rerun = await withdrawConsent(t.ctx, dam('honest'), 's', 'P1');
    expect(rerun.sourceCheck?.assets).toBe(2);
    expect(rerun.verifiedInSource).toBe('clean');
    const namingP1 = ['a.jpg', 'b.jpg'].filter((f) => sidecarOf(f).includes(':P1'));
    expect(namingP1).toEqual([]);
    expect((await withdrawConsent(t.ctx, dam('honest'), 's', 'P1')).outcome).toBe('already-complete');
  }, 60_000);

  it('writing an asset again for a withdrawal names nobody Sitter had not named there, even on a closed shoot', async () => {
    const dam = await pluginDam();
    source = (await seedPushedPair(t, dam('honest'))).source;
    // P2 confirmed on b.jpg after the push: never pushed there, and nobody asked for it
    await seedConfirmedFaces(t, 's', [['b.jpg', 'P2', 0.6]]);
    await closeShoot(t.ctx, 's');
    expect((await withdrawConsent(t.ctx, dam('ignore'), 's', 'P1')).verifiedInSource).toBe('still-named');
    const rerun = await withdrawConsent(t.ctx, dam('honest'), 's', 'P1');
    expect(rerun.outcome).toBe('rechecked');
    expect(rerun.verifiedInSource).toBe('clean');
    // cleared: the plugin removes a sidecar that names nobody
    const b = sidecarOf('b.jpg');
    expect(b).not.toContain(':P1');
    expect(b).not.toContain(':P2');
  }, 60_000);

  it('an edit-with-approval DAM: pending-approval, exit 1; the push records stay open, so a rerun after approval verifies clean', async () => {
    await pushedThenBehaving('queue');
    const run = await text('withdraw', 's', 'P1');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('verified in source:  PENDING APPROVAL');
    expect(run.stdout).toContain(
      "Hint: The DAM holds Sitter's removal for an approver: once it is approved, run sitter withdraw s P1 again",
    );
    const open = (await withRawDb(t.ws.paths.database, (sql) =>
      sql("select state from push_record where cleared_at is null and consent_uri like '%:P1'"),
    )) as { state: string }[];
    expect(open.map((r) => r.state)).toEqual(['pending-approval', 'pending-approval']);
    // The approver accepts: the DAM now behaves; the rerun finishes the withdrawal and verifies it.
    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector_options = '{"mode":"honest"}' where id = 's'`),
    );
    for (const f of ['a.jpg', 'b.jpg']) rmSync(join(source, `${f}.json.pending`), { force: true });
    const rerun = await cli('withdraw', 's', 'P1');
    expect(rerun.code).toBe(0);
    expect((jsonOf(rerun) as unknown as Receipt).verifiedInSource).toBe('clean');
  }, 60_000);

  it('a connector without a read-back: not-verifiable, exit 1', async () => {
    const { code, r } = await withdrawP1('blind');
    expect(code).toBe(1);
    expect(r.verifiedInSource).toBe('not-verifiable');
    expect(r.sourceCheck.notVerifiable).toHaveLength(2);
    expect(r.sourceCheck.notVerifiable[0]).toContain('cannot read back');
  }, 60_000);

  it("sitter connectors check runs the connector's health probe between the secrets and the source, and stops at a refused login", async () => {
    await pushedThenBehaving('honest');
    const good = await cli('connectors', 'check', 's');
    expect(good.code).toBe(0);
    const steps = (jsonOf(good) as unknown as { findings: { step: string; ok: boolean; message: string }[] }).findings;
    expect(steps.map((f) => f.step)).toEqual(['connector', 'options', 'health', 'health', 'source']);
    expect(steps[2]!.message).toBe('login: the token was granted');
    expect(steps[3]!.message).toContain('acting as sitter-bot, at most 2 requests/s');

    await withRawDb(t.ws.paths.database, (sql) =>
      sql(`update shoot set connector_options = '{"mode":"locked"}' where id = 's'`),
    );
    const locked = await cli('connectors', 'check', 's');
    expect(locked.code).toBe(1);
    const out = jsonOf(locked) as unknown as {
      ok: boolean;
      findings: { step: string; code?: string; hint?: string }[];
    };
    expect(out.ok).toBe(false);
    // The listing would only fail again with the same refusal: the check stops at the health step.
    expect(out.findings.map((f) => f.step)).not.toContain('source');
    expect(out.findings.find((f) => f.code === 'CONNECTOR_AUTH')).toMatchObject({
      step: 'health',
      hint: 'Run sitter connectors login for the shoot.',
    });
  }, 60_000);
});
