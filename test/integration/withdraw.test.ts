import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { verifyChain } from '../../src/core/domain/audit.js';
import { formDigest } from '../../src/core/domain/consent.js';
import { templateBinding } from '../../src/core/domain/seal-binding.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot } from '../../src/core/services/push-service.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import { withdrawConsent } from '../../src/core/services/withdraw-service.js';
import { seedPushedPair } from '../helpers/seed.js';
import { stopClusters, type TestWorkspace, workspaceKinds } from '../helpers/workspace.js';

afterAll(async () => {
  await exiftool.end();
  await stopClusters();
});

// On both stores: a SQLite file, and a team workspace on PostgreSQL.
describe.each(workspaceKinds())('rule 6: withdrawal cascades ($kind)', ({ make }) => {
  let t: TestWorkspace;
  let source = '';
  const connector = wrapConnector(createLocalConnector({}));
  beforeEach(async () => {
    t = await make();
    // P1 is confirmed on a.jpg (with P2) and on b.jpg (alone), and has a template from a confirmed face.
    const seeded = await seedPushedPair(t, connector);
    source = seeded.source;
    expect(seeded.pushed.written).toBe(2);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('deletes templates, revokes matches, updates the DAM and returns a receipt on the audit chain', async () => {
    const templatesBefore = await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'));
    expect(templatesBefore.length).toBe(3);
    const r = await withdrawConsent(t.ctx, connector, 's', 'P1');
    expect(r).toMatchObject({ participant: 'P1', templatesDeleted: 2, matchesRevoked: 2, damFailures: [] });
    expect(r.damUpdates.map((u) => [u.asset, u.action]).sort()).toEqual([
      ['a.jpg', 'written'],
      ['b.jpg', 'cleared'],
    ]);

    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ben Staying']);
    expect(JSON.stringify(tags)).not.toContain('Ada Leaving');
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);

    const faces = await t.ws.store.transaction((uow) => uow.faces.listByShoot('s'));
    const p1 = await t.ws.store.transaction((uow) => uow.participants.findByExternalRef('s', 'P1'));
    expect(faces.filter((f) => f.participantId === p1!.id)).toEqual([]);
    expect((await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'))).length).toBe(1);
    const entries = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(verifyChain(entries).ok).toBe(true);
    expect(entries.find((e) => e.seq === r.audit.seq)).toMatchObject({
      action: 'consent.withdrawal-receipt',
      hash: r.audit.hash,
    });
    // The receipt printed for the person names them; the one on the chain does not (erasure leaves the chain as it is).
    expect(r.anchor).toBe(`${r.audit.hash}@${r.audit.seq}`);
    expect(JSON.stringify(entries.filter((e) => e.subject?.startsWith('participant:')))).not.toMatch(
      /Ada Leaving|"P1"|participant:P1/,
    );

    // A withdrawn person cannot be named again, and a second withdrawal says it is done, pointing at its receipt.
    const face = faces.find((f) => f.assetId === faces[0]!.assetId && f.participantId === null)!;
    await expect(
      decideFace(t.ctx, 's', face.id, { kind: 'assign', participantRef: 'P1' }, 'Rita'),
    ).rejects.toMatchObject({ code: 'CONSENT_NOT_VALID' });
    await expect(withdrawConsent(t.ctx, connector, 's', 'P1')).resolves.toMatchObject({
      outcome: 'already-complete',
      audit: r.audit,
      damUpdates: [],
    });
  });

  it('reaches the DAM even after the shoot was closed', async () => {
    await closeShoot(t.ctx, 's');
    const r = await withdrawConsent(t.ctx, connector, 's', 'P1');
    expect(r.damUpdates.map((u) => u.action).sort()).toEqual(['cleared', 'written']);
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);
  });

  it('an unknown participant is named in the error', async () => {
    await expect(withdrawConsent(t.ctx, connector, 's', 'P9')).rejects.toMatchObject({
      code: 'PARTICIPANT_NOT_FOUND',
      message: expect.stringContaining('P9'),
    });
  });

  it('a withdrawal dated in the future takes effect when it arrives, at the next push', async () => {
    const { importConsent } = await import('../../src/core/services/consent-service.js');
    const { parseConsentFile } = await import('../../src/core/consent/index.js');
    const { consentFileAccessFor, readConsentFile } = await import('../../src/core/store/files/consent-files.js');
    const { pngBytes, writeConsentFolder } = await import('../helpers/consent-fixture.js');
    const file = writeConsentFolder(join(t.root, '..', 'consent-later'), [
      { id: 'P1', name: 'Ada Leaving', consent: 'yes', photo: await pngBytes(1), withdrawn: '2026-06-10' },
      { id: 'P2', name: 'Ben Staying', consent: 'yes', photo: await pngBytes(2) },
    ]);
    const imported = await importConsent(
      t.ctx,
      's',
      await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)),
      file,
    );
    expect(imported.withdrawn).toEqual([]);
    expect((await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'))).length).toBe(3);
    const withdrawnForms = async () => [
      ...(await t.ws.store.transaction((uow) => uow.withdrawals.memoryOfShoot('s', t.clock.now()))).forms.keys(),
    ];
    // Not in effect yet: the form may still be used (the date can be changed).
    expect(await withdrawnForms()).toEqual([]);
    t.clock.set(new Date('2026-06-11T09:00:00Z'));
    await pushShoot(t.ctx, connector, 's');
    expect((await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'))).length).toBe(1);
    const tags = (await exiftool.read(join(source, 'a.jpg.xmp'))) as unknown as Record<string, unknown>;
    expect(tags.PersonInImage).toEqual(['Ben Staying']);
    expect(existsSync(join(source, 'b.jpg.xmp'))).toBe(false);
    const actions = (await t.ws.store.transaction((uow) => uow.audit.all())).map((e) => e.action);
    expect(actions).toContain('consent.lapsed');
    // Once it took effect, its form is withdrawn for good (rule 6: a withdrawal stands).
    const form = (await t.ws.store.transaction(async (uow) =>
      uow.consents.current((await uow.participants.findByExternalRef('s', 'P1'))!.id),
    ))!.formSha256;
    expect(await withdrawnForms()).toEqual([formDigest(form)]);
  });

  it('the destroyed key of a closed shoot is never made again', async () => {
    await closeShoot(t.ctx, 's');
    await expect(
      t.ctx.keyVault.encrypt(
        templateBinding({ shootId: 's', participantId: 1, modelDigest: 'm', origin: 'reference-photo' }),
        new Uint8Array([1, 2, 3]),
      ),
    ).rejects.toMatchObject({ code: 'KEY_DESTROYED' });
  });
});
