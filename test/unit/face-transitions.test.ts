import { describe, expect, it } from 'vitest';
import {
  flagsAfterAllowUndated,
  flagsAfterFailure,
  flagsAfterPush,
  flagsAfterScan,
  flagsAfterWithdrawal,
  flagsOutOfScope,
} from '../../src/core/domain/asset-flags.js';
import { planCarryOver, type PreviousConfirmation, settleVerdict } from '../../src/core/domain/carry-over.js';
import { isSitterError } from '../../src/core/domain/errors.js';
import {
  assertUndoable,
  decide,
  type DecisionFacts,
  lapseEffect,
  revocation,
  revokedReasonOf,
  stateAfterUndo,
} from '../../src/core/domain/face-transitions.js';
import type { FaceVerdict } from '../../src/core/domain/matching.js';
import type { ConsentRecord, Decision, Face, Participant } from '../../src/core/domain/records.js';

const now = new Date('2026-06-01T10:00:00Z');
const ada: Participant = {
  id: 1,
  shootId: 's',
  externalRef: 'P1',
  displayName: 'Ada',
  minor: false,
  guardian: null,
  createdAt: now,
};
const ben: Participant = { ...ada, id: 2, externalRef: 'P2', displayName: 'Ben' };

function consentOf(p: Participant, over: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: 100 + p.id,
    participantId: p.id,
    biometricConsent: true,
    publicationScopes: ['web'],
    signedAt: new Date('2026-05-01T00:00:00Z'),
    expiresAt: null,
    withdrawnAt: null,
    formRef: `/forms/${p.externalRef}.pdf`,
    formSha256: `sha-${p.externalRef}`,
    referencePhoto: null,
    referencePhotoSha256: null,
    importedFrom: 'consent.csv',
    importedFileSha256: 'sha-file',
    importedAt: now,
    signedScan: null,
    ...over,
  };
}

function faceOf(over: Partial<Face> = {}): Face {
  return {
    id: 7,
    shootId: 's',
    assetId: 3,
    x: 0.1,
    y: 0.1,
    w: 0.2,
    h: 0.3,
    detectorScore: 0.9,
    state: 'proposed',
    participantId: ada.id,
    score: 0.8,
    margin: 0.2,
    reason: null,
    embedding: new Uint8Array([1, 2, 3]),
    modelDigest: 'model-x',
    createdAt: now,
    ...over,
  };
}

let nextId = 1;
function decisionOf(over: Partial<Decision>): Decision {
  return {
    id: nextId++,
    shootId: 's',
    faceId: 7,
    reviewer: 'Rita',
    action: 'confirm',
    participantId: ada.id,
    at: now,
    undoneAt: null,
    previousState: 'proposed',
    previousParticipantId: ada.id,
    consentRecordId: 101,
    consentFormSha256: 'sha-P1',
    ...over,
  };
}

function facts(over: Partial<DecisionFacts> = {}): DecisionFacts {
  return {
    face: faceOf(),
    decisions: [],
    action: { kind: 'confirm' },
    reviewer: 'Rita',
    reviewersRequired: 1,
    now,
    participant: ada,
    consent: consentOf(ada),
    elsewhere: null,
    ...over,
  };
}

/** The SitterError code a call throws, or null when it does not throw. */
function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!isSitterError(error)) throw error;
    expect(error.hint, `${error.code} has an actionable hint`).toBeTruthy();
    return error.code;
  }
}

describe('decide: every transition of a face under a reviewer decision (rule 5)', () => {
  it('confirm by one of one reviewer: confirmed, learns the embedding, drops it, relies on the consent record', () => {
    const plan = decide(facts());
    expect(plan.next).toEqual({ state: 'confirmed', participantId: ada.id });
    expect(plan).toMatchObject({
      action: 'confirm',
      confirmedBy: ['Rita'],
      learn: true,
      dropEmbedding: true,
      dropLearnedTemplate: false,
      rememberRejection: false,
    });
    expect(plan.reliedOn?.id).toBe(101);
    expect(plan.decision).toMatchObject({
      reviewer: 'Rita',
      action: 'confirm',
      participantId: ada.id,
      previousState: 'proposed',
      previousParticipantId: ada.id,
      consentRecordId: 101,
      consentFormSha256: 'sha-P1',
      undoneAt: null,
    });
  });

  it('confirm without a stored embedding confirms but learns nothing', () => {
    expect(decide(facts({ face: faceOf({ embedding: null }) }))).toMatchObject({ learn: false, dropEmbedding: true });
  });

  it('two-person review: the first confirmation leaves a proposal with its embedding, the second confirms', () => {
    const first = decide(facts({ reviewersRequired: 2 }));
    expect(first.next.state).toBe('proposed');
    expect(first).toMatchObject({ confirmedBy: ['Rita'], learn: false, dropEmbedding: false });
    const second = decide(
      facts({ reviewersRequired: 2, reviewer: 'Sam', decisions: [decisionOf({ reviewer: 'Rita' })] }),
    );
    expect(second.next.state).toBe('confirmed');
    expect(second).toMatchObject({ confirmedBy: ['Rita', 'Sam'], learn: true, dropEmbedding: true });
  });

  it('reject: rejected, the pair remembered, the embedding and any learned template dropped, no consent relied on', () => {
    const plan = decide(facts({ action: { kind: 'reject' }, face: faceOf({ state: 'confirmed' }), consent: null }));
    expect(plan.next).toEqual({ state: 'rejected', participantId: ada.id });
    expect(plan).toMatchObject({
      confirmedBy: [],
      rememberRejection: true,
      dropEmbedding: true,
      dropLearnedTemplate: true,
      learn: false,
      reliedOn: null,
    });
    expect(plan.decision).toMatchObject({ action: 'reject', consentRecordId: null, consentFormSha256: null });
  });

  it('assign an unidentified face: confirmed at once with one reviewer, nothing to learn', () => {
    const plan = decide(
      facts({
        action: { kind: 'assign', participantRef: 'P2' },
        face: faceOf({ state: 'unidentified', participantId: null, embedding: null }),
        participant: ben,
        consent: consentOf(ben),
      }),
    );
    expect(plan.next).toEqual({ state: 'confirmed', participantId: ben.id });
    expect(plan).toMatchObject({ learn: false, dropLearnedTemplate: true, confirmedBy: ['Rita'] });
    expect(plan.decision).toMatchObject({ previousState: 'unidentified', previousParticipantId: null });
  });

  it('reassign a confirmed face to someone else: the template learned from it goes; to the same person: it stays', () => {
    const confirmed = faceOf({ state: 'confirmed', embedding: null });
    const other = decide(
      facts({
        action: { kind: 'assign', participantRef: 'P2' },
        face: confirmed,
        participant: ben,
        consent: consentOf(ben),
      }),
    );
    expect(other).toMatchObject({ dropLearnedTemplate: true, next: { participantId: ben.id } });
    const same = decide(facts({ action: { kind: 'assign', participantRef: 'P1' }, face: confirmed }));
    expect(same.dropLearnedTemplate).toBe(false);
  });

  it('an assignment to someone else starts the two-person count again', () => {
    const plan = decide(
      facts({
        reviewersRequired: 2,
        action: { kind: 'assign', participantRef: 'P2' },
        participant: ben,
        consent: consentOf(ben),
        reviewer: 'Sam',
        decisions: [decisionOf({ reviewer: 'Rita' })],
      }),
    );
    expect(plan).toMatchObject({ confirmedBy: ['Sam'], next: { state: 'proposed', participantId: ben.id } });
  });
});

describe('decide: every refusal, with its code', () => {
  it('NOT_A_PROPOSAL: confirming a face that is not a proposal, or names nobody', () => {
    for (const state of ['confirmed', 'rejected', 'unidentified', 'ignored'] as const)
      expect(codeOf(() => decide(facts({ face: faceOf({ state }) })))).toBe('NOT_A_PROPOSAL');
    expect(codeOf(() => decide(facts({ participant: null })))).toBe('NOT_A_PROPOSAL');
  });

  it('SAME_REVIEWER: one reviewer cannot confirm a face twice', () => {
    const decisions = [decisionOf({ reviewer: 'Rita' })];
    expect(codeOf(() => decide(facts({ reviewersRequired: 2, decisions })))).toBe('SAME_REVIEWER');
    // An undone confirmation does not count.
    expect(
      codeOf(() =>
        decide(facts({ reviewersRequired: 2, decisions: [decisionOf({ reviewer: 'Rita', undoneAt: now })] })),
      ),
    ).toBeNull();
  });

  it('CONSENT_NOT_VALID: confirm and assign need consent that holds now (withdrawn, expired, biometrics no, unsigned, none)', () => {
    const lapsed = [
      consentOf(ada, { withdrawnAt: new Date('2026-05-31T00:00:00Z') }),
      consentOf(ada, { expiresAt: new Date('2026-06-01T09:00:00Z') }),
      consentOf(ada, { biometricConsent: false }),
      consentOf(ada, { signedAt: new Date('2026-06-02T00:00:00Z') }),
      null,
    ];
    for (const consent of lapsed) {
      expect(codeOf(() => decide(facts({ consent })))).toBe('CONSENT_NOT_VALID');
      expect(codeOf(() => decide(facts({ consent, action: { kind: 'assign', participantRef: 'P1' } })))).toBe(
        'CONSENT_NOT_VALID',
      );
    }
    // A rejection needs no consent: saying "not this person" is always allowed.
    expect(codeOf(() => decide(facts({ consent: null, action: { kind: 'reject' } })))).toBeNull();
  });

  it('NOTHING_TO_REJECT: a face that names nobody, or is already rejected', () => {
    for (const state of ['rejected', 'unidentified', 'ignored'] as const)
      expect(codeOf(() => decide(facts({ action: { kind: 'reject' }, face: faceOf({ state }) })))).toBe(
        'NOTHING_TO_REJECT',
      );
    expect(codeOf(() => decide(facts({ action: { kind: 'reject' }, participant: null })))).toBe('NOTHING_TO_REJECT');
  });

  it('PARTICIPANT_NOT_FOUND: assigning a reference the shoot does not have, named in the message', () => {
    const run = () => decide(facts({ action: { kind: 'assign', participantRef: 'P9' }, participant: null }));
    expect(codeOf(run)).toBe('PARTICIPANT_NOT_FOUND');
    expect(run).toThrow(/"P9"/);
  });

  it('FACE_IGNORED: an ignored face cannot be assigned', () => {
    expect(
      codeOf(() =>
        decide(facts({ action: { kind: 'assign', participantRef: 'P1' }, face: faceOf({ state: 'ignored' }) })),
      ),
    ).toBe('FACE_IGNORED');
  });

  it('ALREADY_IN_PHOTO: one person once per photo, naming the other face', () => {
    const run = () =>
      decide(
        facts({
          action: { kind: 'assign', participantRef: 'P1' },
          face: faceOf({ id: 8, state: 'unidentified', participantId: null }),
          elsewhere: faceOf({ id: 7, state: 'confirmed' }),
        }),
      );
    expect(codeOf(run)).toBe('ALREADY_IN_PHOTO');
    expect(run).toThrow(/face 7/);
  });

  it('refusals come in the order a reviewer can act on: a missing participant before an ignored face', () => {
    expect(
      codeOf(() =>
        decide(
          facts({
            action: { kind: 'assign', participantRef: 'P9' },
            participant: null,
            face: faceOf({ state: 'ignored' }),
          }),
        ),
      ),
    ).toBe('PARTICIPANT_NOT_FOUND');
  });
});

describe('undo', () => {
  const standing = (ds: Decision[]) => ds;

  it('UNDO_SUPERSEDED: a later standing decision on the face blocks the undo; an undone later one does not', () => {
    const mine = decisionOf({ reviewer: 'Rita' });
    const theirs = decisionOf({ reviewer: 'Sam', action: 'reject' });
    expect(codeOf(() => assertUndoable(mine, [mine, theirs], 's'))).toBe('UNDO_SUPERSEDED');
    expect(codeOf(() => assertUndoable(mine, [mine, { ...theirs, undoneAt: now }], 's'))).toBeNull();
  });

  it('restores the state and participant before the decision', () => {
    const undone = { ...decisionOf({ action: 'reject', previousState: 'proposed' }), undoneAt: now };
    expect(stateAfterUndo(undone, standing([undone]), consentOf(ada), 1, now)).toEqual({
      state: 'proposed',
      participantId: ada.id,
      revoked: null,
    });
    const fromUnidentified = {
      ...decisionOf({ action: 'assign', previousState: 'unidentified', previousParticipantId: null }),
      undoneAt: now,
    };
    expect(stateAfterUndo(fromUnidentified, [fromUnidentified], null, 1, now)).toEqual({
      state: 'unidentified',
      participantId: null,
      revoked: null,
    });
  });

  it('never restores a link to someone whose consent no longer holds (consent-not-valid)', () => {
    const undone = { ...decisionOf({ action: 'reject', previousState: 'confirmed' }), undoneAt: now };
    const withdrawn = consentOf(ada, { withdrawnAt: new Date('2026-05-31T00:00:00Z') });
    expect(stateAfterUndo(undone, [undone], withdrawn, 1, now)).toEqual({
      state: 'unidentified',
      participantId: null,
      revoked: 'consent-not-valid',
    });
  });

  it('a confirmed state comes back only with the confirmations that still stand', () => {
    const rita = decisionOf({ reviewer: 'Rita' });
    const sam = { ...decisionOf({ reviewer: 'Sam', action: 'reject', previousState: 'confirmed' }), undoneAt: now };
    // Two-person shoot: only Rita's confirmation stands, so the face is a proposal again, not confirmed.
    expect(stateAfterUndo(sam, [rita, sam], consentOf(ada), 2, now).state).toBe('proposed');
    expect(stateAfterUndo(sam, [rita, sam], consentOf(ada), 1, now).state).toBe('confirmed');
  });
});

describe('revoke and lapse (rules 3, 4, 6)', () => {
  it('a revocation names nobody, keeps no score and no embedding, and says why', () => {
    expect(revocation('consent-withdrawn')).toEqual({
      participantId: null,
      state: 'unidentified',
      score: null,
      margin: null,
      embedding: null,
      reason: 'consent-withdrawn',
    });
    expect(revokedReasonOf('expired')).toBe('consent-expired');
    expect(revokedReasonOf('no-record')).toBe('consent-no-record');
  });

  it('a withdrawal cascades over templates and every link; other lapses revoke templates and proposals only', () => {
    const none = { templates: false, proposed: 0, confirmed: 0 };
    expect(lapseEffect('withdrawn', none)).toBe('nothing');
    expect(lapseEffect('withdrawn', { ...none, confirmed: 1 })).toBe('withdrawal-cascade');
    expect(lapseEffect('withdrawn', { ...none, templates: true })).toBe('withdrawal-cascade');
    for (const status of ['expired', 'photos-only', 'not-yet-signed', 'no-record'] as const) {
      expect(lapseEffect(status, none)).toBe('nothing');
      // Confirmed identifications were made under valid consent: an expiry alone leaves them.
      expect(lapseEffect(status, { ...none, confirmed: 3 })).toBe('nothing');
      expect(lapseEffect(status, { ...none, proposed: 1 })).toBe('revoke-proposals');
      expect(lapseEffect(status, { ...none, templates: true })).toBe('revoke-proposals');
    }
  });
});

describe('carry over at rescan (rule 5: reviewed work survives a changed photo)', () => {
  const old = (over: Partial<Face> = {}, eligible = true): PreviousConfirmation => ({
    face: faceOf({ state: 'confirmed', ...over }),
    confirmations: [decisionOf({})],
    eligible,
  });
  const box = { x: 0.1, y: 0.1, w: 0.2, h: 0.3 };
  const moved = { x: 0.12, y: 0.11, w: 0.2, h: 0.3 };
  const elsewhere = { x: 0.7, y: 0.1, w: 0.2, h: 0.3 };

  it('moves a confirmation to the overlapping new face that still matches the person', () => {
    const plan = planCarryOver([old()], [elsewhere, moved], () => true);
    expect([...plan.carried.keys()]).toEqual([1]);
    expect(plan.carried.get(1)).toMatchObject({ participantId: ada.id, oldFaceId: 7, faceIndex: 1 });
    expect(plan.dropped).toEqual([]);
  });

  it('drops it when the overlapping face no longer matches (a box alone proves nothing)', () => {
    const plan = planCarryOver([old()], [box], (_i, p) => p !== ada.id);
    expect(plan.carried.size).toBe(0);
    expect(plan.dropped).toMatchObject([{ faceIndex: 0, participantId: ada.id }]);
  });

  it('carries nothing for a person whose consent no longer holds, for a face that is not confirmed, or with no overlap', () => {
    expect(planCarryOver([old({}, false)], [box], () => true).carried.size).toBe(0);
    expect(planCarryOver([old({ state: 'proposed' })], [box], () => true).carried.size).toBe(0);
    const gone = planCarryOver([old()], [elsewhere], () => true);
    expect([gone.carried.size, gone.dropped.length]).toEqual([0, 0]);
  });

  it('a new face takes one confirmation only', () => {
    const two = [old({ id: 7, participantId: ada.id }), old({ id: 8, participantId: ben.id, x: 0.11 })];
    const plan = planCarryOver(two, [box], () => true);
    expect([...plan.carried.values()].map((c) => c.oldFaceId)).toEqual([7]);
  });

  it('settles verdicts: lapsed consent names nobody (consent-lapsed), someone carried over is taken', () => {
    const proposed: FaceVerdict = { kind: 'proposed', participantId: ada.id, distance: 0.2, margin: 0.3, score: 0.8 };
    expect(settleVerdict(proposed, new Set(), new Set())).toBe(proposed);
    expect(settleVerdict(proposed, new Set([ada.id]), new Set())).toEqual({
      kind: 'unidentified',
      reason: 'consent-lapsed',
      nearestDistance: null,
    });
    expect(settleVerdict(proposed, new Set(), new Set([ada.id]))).toEqual({
      kind: 'unidentified',
      reason: 'taken',
      nearestDistance: 0.2,
    });
    const none: FaceVerdict = { kind: 'unidentified', reason: 'no-match', nearestDistance: 0.9 };
    expect(settleVerdict(none, new Set([ada.id]), new Set([ada.id]))).toBe(none);
  });
});

describe('asset flags', () => {
  it('each event sets the flags it owns and keeps the others', () => {
    expect(flagsAfterScan(['pushed', 'consent-withdrawn', 'undated-allowed'], true)).toEqual([
      'unidentified-person',
      'undated-allowed',
    ]);
    expect(flagsAfterScan(['unidentified-person'], false)).toEqual([]);
    expect(flagsOutOfScope('refused')).toEqual(['outside-shoot-dates']);
    expect(flagsOutOfScope('held')).toEqual(['no-capture-time']);
    expect(flagsAfterWithdrawal(['pushed', 'unidentified-person'])).toEqual([
      'pushed',
      'unidentified-person',
      'consent-withdrawn',
    ]);
    expect(flagsAfterPush(['unidentified-person'], true)).toEqual(['unidentified-person', 'pushed']);
    expect(flagsAfterPush(['pushed', 'consent-withdrawn'], false)).toEqual(['consent-withdrawn']);
    expect(flagsAfterAllowUndated(['no-capture-time', 'undated-allowed'])).toEqual([
      'no-capture-time',
      'undated-allowed',
    ]);
  });

  it('a RAW analysed from its preview says so; a refusal that is not damage says why, keeping what the DAM carries', () => {
    expect(flagsAfterScan(['raw-no-preview'], false, true)).toEqual(['raw-preview']);
    expect(flagsAfterFailure(['pushed', 'raw-preview'], 'IMAGE_TOO_SMALL')).toEqual(['pushed', 'too-small']);
    expect(flagsAfterFailure(['too-small'], 'RAW_PREVIEW_MISSING')).toEqual(['raw-no-preview']);
    expect(flagsAfterFailure([], 'RAW_PREVIEW_UNUSABLE')).toEqual(['raw-no-preview']);
    // a damaged file gets no flag of these: its error says it
    expect(flagsAfterFailure(['raw-no-preview', 'consent-withdrawn'], 'IMAGE_UNREADABLE')).toEqual([
      'consent-withdrawn',
    ]);
  });
});
