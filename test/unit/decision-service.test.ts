import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Face } from '../../src/core/domain/records.js';
import type { UnitOfWork } from '../../src/core/ports/store.js';
import { decideBulk, decideFace, undoLastDecision } from '../../src/core/services/decision-service.js';
import { closeShoot } from '../../src/core/services/shoot-service.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

/**
 * The decision service on a real SQLite workspace, with proposals seeded as a scan leaves them (no
 * model). Every error code `decision-service.ts` can throw is named in a test's title, and each
 * refusal is shown to leave the store as it was: no decision, no audit entry, the face unchanged.
 */
describe('decisions: every refusal, and what the store keeps', () => {
  let t: TestWorkspace;
  let p1Face: Face;
  let p2Face: Face;
  const read = <T>(work: (uow: UnitOfWork) => Promise<T>) => t.ws.store.transaction(work);
  const faceNow = async (id: number) => (await read((uow) => uow.faces.find(id)))!;
  const snapshot = async () =>
    read(async (uow) => ({
      decisions: (await uow.decisions.listByShoot('s')).length,
      audit: (await uow.audit.all()).length,
      faces: (await uow.faces.listByShootWithoutEmbeddings('s')).map((f) => [f.id, f.state, f.participantId]),
    }));
  /** The refusal's code, after checking that the refused call changed nothing. */
  const refusal = async (run: () => Promise<unknown>): Promise<string> => {
    const before = await snapshot();
    const error = (await run().then(
      () => null,
      (e: unknown) => e,
    )) as { code?: string; hint?: string } | null;
    expect(error, 'the call is refused').not.toBeNull();
    expect(error!.hint, `${error!.code} has a hint`).toBeTruthy();
    expect(await snapshot()).toEqual(before);
    return error!.code!;
  };

  beforeEach(async () => {
    t = await makeWorkspace();
    await seedApprovedShoot(
      t,
      's',
      [
        { id: 'P1', name: 'Ada', consent: 'yes' },
        { id: 'P2', name: 'Ben', consent: 'yes', expires: '2026-06-05' },
        { id: 'P3', name: 'Cy', consent: 'no' },
      ],
      2,
    );
    p1Face = await seedProposal(t, 's', 'a.jpg', 'P1', 0.8, { x: 0.1, y: 0.1, w: 0.2, h: 0.3 });
    p2Face = await seedProposal(t, 's', 'a.jpg', 'P2', 0.7, { x: 0.6, y: 0.1, w: 0.2, h: 0.3 });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('two-person review through the service: a proposal after the first confirmation, confirmed and learned after the second', async () => {
    expect(await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Rita')).toMatchObject({
      state: 'proposed',
      confirmedBy: ['Rita'],
      learned: false,
    });
    expect(await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Sam')).toMatchObject({
      state: 'confirmed',
      confirmedBy: ['Rita', 'Sam'],
      learned: true,
      consentRecord: { id: expect.any(Number), formSha256: expect.any(String) },
    });
    expect(await faceNow(p1Face.id)).toMatchObject({ state: 'confirmed', embedding: null });
    const templates = await read((uow) => uow.templates.listByShoot('s'));
    expect(templates.map((x) => [x.origin, x.originRef])).toEqual([['confirmed-face', `face:${p1Face.id}`]]);
  });

  it('REVIEWER_REQUIRED, FACE_NOT_FOUND, SHOOT_NOT_FOUND: nothing is decided without a reviewer, a face of the shoot, a shoot', async () => {
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, '  '))).toBe('REVIEWER_REQUIRED');
    expect(await refusal(() => decideFace(t.ctx, 's', 9999, { kind: 'confirm' }, 'Rita'))).toBe('FACE_NOT_FOUND');
    expect(await refusal(() => decideFace(t.ctx, 'nope', p1Face.id, { kind: 'confirm' }, 'Rita'))).toBe(
      'SHOOT_NOT_FOUND',
    );
  });

  it('NOT_A_PROPOSAL, SAME_REVIEWER, NOTHING_TO_REJECT: confirm only a proposal, once per reviewer; reject only a face that names someone', async () => {
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Rita');
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Rita'))).toBe('SAME_REVIEWER');
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'reject' }, 'Sam');
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Tom'))).toBe('NOT_A_PROPOSAL');
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'reject' }, 'Tom'))).toBe('NOTHING_TO_REJECT');
    // The rejection is remembered apart from the face, so a rescan never proposes the pair again.
    const asset = (await read((uow) => uow.assets.findByConnectorId('s', 'a.jpg')))!;
    expect(await read((uow) => uow.rejections.listByAsset(asset.id))).toMatchObject([
      { participantId: p1Face.participantId, x: 0.1 },
    ]);
  });

  it('CONSENT_NOT_VALID: a match of someone whose consent expired since the scan cannot be confirmed, and nobody can be assigned who has no biometric consent', async () => {
    t.clock.set(new Date('2026-06-06T10:00:00Z'));
    expect(await refusal(() => decideFace(t.ctx, 's', p2Face.id, { kind: 'confirm' }, 'Rita'))).toBe(
      'CONSENT_NOT_VALID',
    );
    t.clock.set(new Date('2026-06-01T10:00:00Z'));
    expect(
      await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'assign', participantRef: 'P3' }, 'Rita')),
    ).toBe('CONSENT_NOT_VALID');
  });

  it('PARTICIPANT_NOT_FOUND, ALREADY_IN_PHOTO, FACE_IGNORED: an assignment names a participant of the shoot, once per photo, on a usable face', async () => {
    expect(
      await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'assign', participantRef: 'P9' }, 'Rita')),
    ).toBe('PARTICIPANT_NOT_FOUND');
    expect(
      await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'assign', participantRef: 'P2' }, 'Rita')),
    ).toBe('ALREADY_IN_PHOTO');
    await read(async (uow) => {
      (await uow.faces.find(p1Face.id))!.state = 'ignored';
    });
    expect(
      await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'assign', participantRef: 'P1' }, 'Rita')),
    ).toBe('FACE_IGNORED');
  });

  it('BULK_SELECTOR_REQUIRED, ASSET_NOT_FOUND, PARTICIPANT_NOT_FOUND: a bulk decision needs a selection that exists; a good one decides all or nothing', async () => {
    expect(await refusal(() => decideBulk(t.ctx, 's', {}, 'confirm', 'Rita'))).toBe('BULK_SELECTOR_REQUIRED');
    expect(await refusal(() => decideBulk(t.ctx, 's', { asset: 'z.jpg' }, 'confirm', 'Rita'))).toBe('ASSET_NOT_FOUND');
    expect(await refusal(() => decideBulk(t.ctx, 's', { participant: 'P9' }, 'confirm', 'Rita'))).toBe(
      'PARTICIPANT_NOT_FOUND',
    );
    // P2's consent expires before the decision: the whole bulk confirmation is refused, P1's included.
    t.clock.set(new Date('2026-06-06T10:00:00Z'));
    expect(await refusal(() => decideBulk(t.ctx, 's', { asset: 'a.jpg' }, 'confirm', 'Rita'))).toBe(
      'CONSENT_NOT_VALID',
    );
    t.clock.set(new Date('2026-06-01T10:00:00Z'));
    const done = await decideBulk(t.ctx, 's', { allAbove: 0.75 }, 'confirm', 'Rita');
    expect(done.map((d) => d.face)).toEqual([p1Face.id]);
  });

  it('NOTHING_TO_UNDO, UNDO_SUPERSEDED: undo takes back your own latest decision, unless someone decided the face after you', async () => {
    expect(await refusal(() => undoLastDecision(t.ctx, 's', 'Rita'))).toBe('NOTHING_TO_UNDO');
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Rita');
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'reject' }, 'Sam');
    expect(await refusal(() => undoLastDecision(t.ctx, 's', 'Rita'))).toBe('UNDO_SUPERSEDED');
    expect(await undoLastDecision(t.ctx, 's', 'Sam')).toMatchObject({ undone: 'reject', state: 'proposed' });
    expect(await undoLastDecision(t.ctx, 's', 'Rita')).toMatchObject({ undone: 'confirm', state: 'proposed' });
  });

  it('an undo never links a face again to someone whose consent has lapsed since: unidentified, consent-not-valid', async () => {
    await decideFace(t.ctx, 's', p2Face.id, { kind: 'reject' }, 'Rita');
    t.clock.set(new Date('2026-06-06T10:00:00Z'));
    expect(await undoLastDecision(t.ctx, 's', 'Rita')).toMatchObject({ state: 'unidentified', participant: null });
    expect(await faceNow(p2Face.id)).toMatchObject({
      state: 'unidentified',
      participantId: null,
      reason: 'consent-not-valid',
      embedding: null,
    });
  });

  it('SHOOT_CLOSED, RETENTION_ENDED: no decision and no undo once the shoot is closed or its retention has ended', async () => {
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Rita');
    t.clock.set(new Date('2026-07-02T10:00:00Z'));
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Sam'))).toBe('RETENTION_ENDED');
    expect(await refusal(() => undoLastDecision(t.ctx, 's', 'Rita'))).toBe('RETENTION_ENDED');
    t.clock.set(new Date('2026-06-01T10:00:00Z'));
    await closeShoot(t.ctx, 's');
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Sam'))).toBe('SHOOT_CLOSED');
    expect(await refusal(() => decideBulk(t.ctx, 's', { allAbove: 0 }, 'reject', 'Sam'))).toBe('SHOOT_CLOSED');
  });

  it("REVIEWER_NOT_ROLE: in a team workspace the decision is the logged-in role's, another name is refused, and two confirmations need two roles", async () => {
    // The store as a team workspace gives it: the same unit of work, and the role the server authenticated.
    const as = (role: string) => ({
      ...t.ctx,
      store: { ...t.ws.store, transaction: t.ws.store.transaction.bind(t.ws.store), currentRole: async () => role },
    });
    expect(await refusal(() => decideFace(as('alice'), 's', p1Face.id, { kind: 'confirm' }, 'bob'))).toBe(
      'REVIEWER_NOT_ROLE',
    );
    // No --reviewer, or the role itself: recorded under the role, on the decision and on the chain.
    expect(await decideFace(as('alice'), 's', p1Face.id, { kind: 'confirm' }, undefined)).toMatchObject({
      reviewer: 'alice',
      state: 'proposed',
    });
    expect(await refusal(() => decideFace(as('alice'), 's', p1Face.id, { kind: 'confirm' }, 'alice'))).toBe(
      'SAME_REVIEWER',
    );
    expect(await decideFace(as('bob'), 's', p1Face.id, { kind: 'confirm' }, 'bob')).toMatchObject({
      state: 'confirmed',
      confirmedBy: ['alice', 'bob'],
    });
    const chain = await read((uow) => uow.audit.all());
    expect(chain.filter((e) => e.subject === `face:${p1Face.id}`).map((e) => e.actor)).toEqual(['alice', 'bob']);
  });

  it('FACE_DECIDED_ELSEWHERE: a decision made on a view of the face that no longer holds is refused, naming who decided it', async () => {
    const seen = { state: 'proposed' as const, participant: 'P1' };
    await decideFace(t.ctx, 's', p2Face.id, { kind: 'reject' }, 'Bob');
    // Bob confirmed the face while Rita still saw it as a proposal: her rejection is not applied on top.
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Bob');
    await decideFace(t.ctx, 's', p1Face.id, { kind: 'confirm' }, 'Sam');
    const stale = decideFace(t.ctx, 's', p1Face.id, { kind: 'reject' }, 'Rita', seen);
    await expect(stale).rejects.toMatchObject({
      code: 'FACE_DECIDED_ELSEWHERE',
      details: { face: p1Face.id, state: 'confirmed', participant: 'P1', decidedBy: 'Sam' },
    });
    expect(await refusal(() => decideFace(t.ctx, 's', p1Face.id, { kind: 'reject' }, 'Rita', seen))).toBe(
      'FACE_DECIDED_ELSEWHERE',
    );
    expect(
      await refusal(() =>
        decideFace(t.ctx, 's', p2Face.id, { kind: 'assign', participantRef: 'P1' }, 'Rita', {
          state: 'proposed',
          participant: 'P2',
        }),
      ),
    ).toBe('FACE_DECIDED_ELSEWHERE');
    // Half of a two-person confirmation leaves the face as she saw it: her confirmation completes it.
    const p3 = await seedProposal(t, 's', 'b.jpg', 'P1', 0.8);
    await decideFace(t.ctx, 's', p3.id, { kind: 'confirm' }, 'Bob');
    expect(await decideFace(t.ctx, 's', p3.id, { kind: 'confirm' }, 'Rita', seen)).toMatchObject({
      state: 'confirmed',
    });
  });
});
