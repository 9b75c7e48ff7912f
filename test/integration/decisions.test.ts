import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/domain/audit.js';
import { decideBulk, decideFace, undoLastDecision } from '../../src/core/services/decision-service.js';
import { loadMatches } from '../../src/core/services/matches-service.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { stopClusters, type TestWorkspace, workspaceKinds } from '../helpers/workspace.js';

const roster = [
  { id: 'P1', name: 'Ada', consent: 'yes' as const },
  { id: 'P2', name: 'Ben', consent: 'yes' as const },
  { id: 'P3', name: 'Cy', consent: 'no' as const },
];

afterAll(stopClusters);

// The same rules on both stores: a SQLite file, and a team workspace on PostgreSQL.
describe.each(workspaceKinds())('rule 5: human oversight, on a real $kind workspace', ({ make }) => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await make();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const faceState = async (shoot: string, faceId: number) => {
    const face = await t.ws.store.transaction((uow) => uow.faces.find(faceId));
    return face!;
  };

  it('one reviewer confirms; the confirmed face becomes a template and drops its embedding', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    const out = await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    expect(out).toMatchObject({ state: 'confirmed', confirmedBy: ['Rita'], learned: true });
    const stored = await faceState('s', face.id);
    expect(stored.embedding).toBeNull();
    const templates = await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'));
    expect(templates.map((x) => x.originRef)).toEqual([`face:${face.id}`]);
  });

  it('two-person mode: the first confirmation leaves a proposal, the same reviewer cannot confirm twice, a second reviewer confirms', async () => {
    await seedApprovedShoot(t, 's', roster, 2);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    expect(await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).toMatchObject({
      state: 'proposed',
      confirmedBy: ['Rita'],
    });
    await expect(decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).rejects.toMatchObject({
      code: 'SAME_REVIEWER',
    });
    expect(await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Sam')).toMatchObject({
      state: 'confirmed',
      confirmedBy: ['Rita', 'Sam'],
    });
    const m = await loadMatches(t.ctx, 's');
    expect(m.assets[0]?.faces[0]?.confirmedBy).toEqual(['Rita', 'Sam']);
  });

  it('reject drops the embedding, records the rejection, and undo restores the proposal', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    await decideFace(t.ctx, 's', face.id, { kind: 'reject' }, 'Rita');
    expect(await faceState('s', face.id)).toMatchObject({ state: 'rejected', embedding: null });
    expect(await t.ws.store.transaction((uow) => uow.rejections.listByAsset(face.assetId))).toHaveLength(1);
    await expect(undoLastDecision(t.ctx, 's', 'Sam')).rejects.toMatchObject({ code: 'NOTHING_TO_UNDO' });
    expect(await undoLastDecision(t.ctx, 's', 'Rita')).toMatchObject({ state: 'proposed', participant: 'P1' });
    expect(await t.ws.store.transaction((uow) => uow.rejections.listByAsset(face.assetId))).toHaveLength(0);
  });

  it('assign names a face only with an eligible participant (rule 3)', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    await expect(
      decideFace(t.ctx, 's', face.id, { kind: 'assign', participantRef: 'P3' }, 'Rita'),
    ).rejects.toMatchObject({ code: 'CONSENT_NOT_VALID' });
    await expect(
      decideFace(t.ctx, 's', face.id, { kind: 'assign', participantRef: 'NOPE' }, 'Rita'),
    ).rejects.toMatchObject({ code: 'PARTICIPANT_NOT_FOUND' });
    expect(await decideFace(t.ctx, 's', face.id, { kind: 'assign', participantRef: 'P2' }, 'Rita')).toMatchObject({
      state: 'confirmed',
      participant: 'P2',
      learned: false,
    });
  });

  it('a match cannot be confirmed once consent has expired', async () => {
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes', expires: '2026-06-15' }]);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    t.clock.set(new Date('2026-06-20T00:00:00Z'));
    await expect(decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).rejects.toMatchObject({
      code: 'CONSENT_NOT_VALID',
    });
    expect((await faceState('s', face.id)).state).toBe('proposed');
  });

  it('bulk confirm takes only proposals above the score, in one unit of work, each audited', async () => {
    await seedApprovedShoot(t, 's', roster);
    await seedProposal(t, 's', 'a.jpg', 'P1', 0.9);
    await seedProposal(t, 's', 'b.jpg', 'P2', 0.5);
    const out = await decideBulk(t.ctx, 's', { allAbove: 0.8 }, 'confirm', 'Rita');
    expect(out.map((o) => o.participant)).toEqual(['P1']);
    const entries = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(entries.filter((e) => e.action === 'decision.confirm')).toHaveLength(1);
    expect(verifyChain(entries).ok).toBe(true);
  });

  it('decisions are refused on a closed shoot and for a face of another shoot', async () => {
    await seedApprovedShoot(t, 's', roster);
    await seedApprovedShoot(t, 'other', roster);
    const face = await seedProposal(t, 'other', 'a.jpg', 'P1');
    await expect(decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).rejects.toMatchObject({
      code: 'FACE_NOT_FOUND',
    });
    await closeShoot(t.ctx, 'other');
    await expect(decideFace(t.ctx, 'other', face.id, { kind: 'confirm' }, 'Rita')).rejects.toMatchObject({
      code: 'SHOOT_CLOSED',
    });
    // Closing purged the stored embedding (rule 4).
    expect((await faceState('other', face.id)).embedding).toBeNull();
  });

  it('nothing biometric happens once the retention period has ended (rule 4)', async () => {
    await seedApprovedShoot(t, 's', roster); // retention 30 days from 2026-06-01
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    t.clock.set(new Date('2026-07-01T10:00:00Z'));
    await expect(decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).rejects.toMatchObject({
      code: 'RETENTION_ENDED',
      hint: expect.stringContaining('shoot close'),
    });
  });

  it('undo never restores a state that later decisions replaced', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    await decideFace(t.ctx, 's', face.id, { kind: 'reject' }, 'Sam');
    await expect(undoLastDecision(t.ctx, 's', 'Rita')).rejects.toMatchObject({ code: 'UNDO_SUPERSEDED' });
    expect((await faceState('s', face.id)).state).toBe('rejected');
  });

  it('rejecting a confirmed face removes the template it taught', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    expect(await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita')).toMatchObject({ learned: true });
    await decideFace(t.ctx, 's', face.id, { kind: 'reject' }, 'Sam');
    expect(await t.ws.store.transaction((uow) => uow.templates.listByShoot('s'))).toEqual([]);
  });

  it('one person is named at most once per photo, also by hand', async () => {
    await seedApprovedShoot(t, 's', roster);
    await seedProposal(t, 's', 'a.jpg', 'P1', 0.8, { x: 0.1, y: 0.1, w: 0.2, h: 0.2 });
    const other = await seedProposal(t, 's', 'a.jpg', 'P2', 0.8, { x: 0.6, y: 0.1, w: 0.2, h: 0.2 });
    await expect(
      decideFace(t.ctx, 's', other.id, { kind: 'assign', participantRef: 'P1' }, 'Rita'),
    ).rejects.toMatchObject({ code: 'ALREADY_IN_PHOTO' });
  });

  it('undo after a withdrawal does not link the face to the withdrawn person again (rule 6)', async () => {
    await seedApprovedShoot(t, 's', roster);
    const face = await seedProposal(t, 's', 'a.jpg', 'P1');
    await decideFace(t.ctx, 's', face.id, { kind: 'reject' }, 'Rita');
    // P1 withdraws (a re-import dated today), then Rita undoes her rejection.
    const { importConsent } = await import('../../src/core/services/consent-service.js');
    const { parseConsentFile } = await import('../../src/core/consent/index.js');
    const { consentFileAccessFor, readConsentFile } = await import('../../src/core/store/files/consent-files.js');
    const { pngBytes, writeConsentFolder } = await import('../helpers/consent-fixture.js');
    const { join } = await import('node:path');
    const file = writeConsentFolder(join(t.root, '..', 'consent-w'), [
      { id: 'P1', name: 'Ada', consent: 'yes', withdrawn: '2026-05-30' },
      { id: 'P2', name: 'Ben', consent: 'yes', photo: await pngBytes(2) },
      { id: 'P3', name: 'Cy', consent: 'no' },
    ]);
    await expect(
      importConsent(t.ctx, 's', await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)), file),
    ).resolves.toMatchObject({ withdrawn: ['P1'] });
    const undone = await undoLastDecision(t.ctx, 's', 'Rita');
    expect(undone.participant).toBeNull();
    expect((await faceState('s', face.id)).participantId).toBeNull();
  });
});
