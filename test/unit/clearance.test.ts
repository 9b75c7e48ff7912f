import { describe, expect, it } from 'vitest';
import {
  assetClearance,
  changedSincePush,
  type ClearanceFace,
  type ClearanceFacts,
  personVerdict,
  scopesOnRecord,
  shootClearanceRows,
  unlinkablePeople,
} from '../../src/core/domain/clearance.js';
import type { Asset, ConsentRecord, Participant } from '../../src/core/domain/records.js';

const NOW = new Date('2026-06-01T10:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

function asset(id: number, over: Partial<Asset> = {}): Asset {
  return {
    id,
    shootId: 's',
    connectorAssetId: `${String.fromCharCode(96 + id)}.jpg`,
    fileName: `${String.fromCharCode(96 + id)}.jpg`,
    contentSha256: null,
    size: 1,
    width: 10,
    height: 10,
    orientation: 1,
    sourceRevision: null,
    rendition: null,
    scanState: 'scanned',
    error: null,
    flags: [],
    scannedAt: at(-10),
    ...over,
  };
}

function person(id: number, over: Partial<Participant> = {}): Participant {
  return {
    id,
    shootId: 's',
    externalRef: `P${id}`,
    displayName: `Person ${id}`,
    minor: false,
    guardian: null,
    createdAt: at(-20),
    ...over,
  };
}

function consent(participantId: number, over: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: participantId * 10,
    participantId,
    biometricConsent: true,
    publicationScopes: ['web'],
    signedAt: at(-30),
    expiresAt: null,
    withdrawnAt: null,
    formRef: 'f.pdf',
    formSha256: 'a'.repeat(64),
    referencePhoto: null,
    referencePhotoSha256: null,
    importedFrom: 'c.csv',
    importedFileSha256: 'b'.repeat(64),
    importedAt: at(-30),
    ...over,
  };
}

function face(id: number, assetId: number, over: Partial<ClearanceFace> = {}): ClearanceFace {
  return { id, assetId, state: 'confirmed', participantId: 1, reason: null, ...over };
}

function facts(over: Partial<ClearanceFacts> = {}): ClearanceFacts {
  return {
    assets: [asset(1)],
    faces: [face(1, 1)],
    participants: new Map([[1, person(1)]]),
    consents: new Map([[1, consent(1)]]),
    decisions: [],
    pushes: [],
    ...over,
  };
}

const reasonsOf = (f: ClearanceFacts, scope = 'web', now = NOW) =>
  assetClearance(f, f.assets[0]!, scope, now).problems.map((p) => p.reason);

describe('usage clearance (domain)', () => {
  it('clears an asset whose every face is a confirmed person whose consent lists the scope', () => {
    const r = assetClearance(facts(), asset(1), 'web', NOW);
    expect(r).toMatchObject({ cleared: true, clearedPeople: [1], problems: [] });
  });

  it('clears a scanned asset with no faces, and never one that is not analysed', () => {
    expect(reasonsOf(facts({ faces: [] }))).toEqual([]);
    for (const scanState of ['pending', 'failed', 'held', 'refused'] as const)
      expect(reasonsOf(facts({ assets: [asset(1, { scanState })] }))).toEqual(['asset-not-scanned']);
  });

  it('an unreviewed proposal, an unidentified face and a rejected face keep the asset from being cleared', () => {
    expect(reasonsOf(facts({ faces: [face(1, 1, { state: 'proposed' })] }))).toEqual(['face-unreviewed']);
    expect(reasonsOf(facts({ faces: [face(1, 1, { state: 'unidentified', participantId: null })] }))).toEqual([
      'face-unidentified',
    ]);
    expect(reasonsOf(facts({ faces: [face(1, 1, { state: 'rejected', participantId: null })] }))).toEqual([
      'face-unidentified',
    ]);
  });

  it('a face unlinked by a withdrawal says withdrawn, without naming anyone', () => {
    const f = facts({
      faces: [face(1, 1, { state: 'unidentified', participantId: null, reason: 'consent-withdrawn' })],
    });
    expect(assetClearance(f, asset(1), 'web', NOW).problems).toEqual([
      { reason: 'consent-withdrawn', face: 1, participantId: null },
    ]);
  });

  it('a confirmed person whose consent is withdrawn, expired, not yet signed, missing, or lacks the scope', () => {
    const withConsent = (c: Partial<ConsentRecord>) => facts({ consents: new Map([[1, consent(1, c)]]) });
    expect(reasonsOf(withConsent({ withdrawnAt: at(-1) }))).toEqual(['consent-withdrawn']);
    expect(reasonsOf(withConsent({ expiresAt: at(-1) }))).toEqual(['consent-expired']);
    expect(reasonsOf(withConsent({ signedAt: null }))).toEqual(['consent-not-signed']);
    expect(reasonsOf(withConsent({ signedAt: at(1) }))).toEqual(['consent-not-signed']);
    expect(reasonsOf(facts({ consents: new Map() }))).toEqual(['no-consent-record']);
    expect(reasonsOf(withConsent({ publicationScopes: ['print'] }))).toEqual(['scope-missing']);
    expect(reasonsOf(withConsent({ publicationScopes: [] }))).toEqual(['scope-missing']);
    // "all" and "unlimited" cover every scope, as push maps them to PLUS "unlimited".
    expect(reasonsOf(withConsent({ publicationScopes: ['all'] }), 'print')).toEqual([]);
  });

  it('publication consent is not biometric consent: a confirmed person who later said "biometrics no" may be published', () => {
    expect(reasonsOf(facts({ consents: new Map([[1, consent(1, { biometricConsent: false })]]) }))).toEqual([]);
  });

  it('a minor is cleared on the scopes a guardian gave, never without a guardian on record', () => {
    expect(reasonsOf(facts({ participants: new Map([[1, person(1, { minor: true, guardian: 'Gina' })]]) }))).toEqual(
      [],
    );
    expect(reasonsOf(facts({ participants: new Map([[1, person(1, { minor: true, guardian: null })]]) }))).toEqual([
      'minor-without-guardian',
    ]);
    expect(personVerdict(person(1, { minor: true, guardian: '  ' }), consent(1), 'web', NOW)).toBe(
      'minor-without-guardian',
    );
  });

  it('an ignored face (not a usable face) does not count', () => {
    expect(reasonsOf(facts({ faces: [face(1, 1), face(2, 1, { state: 'ignored', participantId: null })] }))).toEqual(
      [],
    );
  });

  it('an expiry tomorrow changes the answer tomorrow', () => {
    const f = facts({ consents: new Map([[1, consent(1, { expiresAt: at(1) })]]) });
    expect(reasonsOf(f, 'web', NOW)).toEqual([]);
    expect(reasonsOf(f, 'web', at(1))).toEqual(['consent-expired']);
  });

  it('changed since the last push: a later decision, rescan, consent version or consent date; never for an asset not pushed', () => {
    const pushed = { pushes: [{ assetId: 1, participantId: 1, pushedAt: at(-5), clearedAt: null }] };
    expect(changedSincePush(facts(pushed), asset(1), NOW)).toBe(false);
    expect(changedSincePush(facts(), asset(1, { scannedAt: NOW }), NOW)).toBe(false);
    expect(changedSincePush(facts({ ...pushed, decisions: [{ faceId: 1, at: at(-1) }] }), asset(1), NOW)).toBe(true);
    expect(changedSincePush(facts(pushed), asset(1, { scannedAt: at(-1) }), NOW)).toBe(true);
    const consentThen = (c: Partial<ConsentRecord>) => facts({ ...pushed, consents: new Map([[1, consent(1, c)]]) });
    expect(changedSincePush(consentThen({ importedAt: at(-1) }), asset(1), NOW)).toBe(true);
    expect(changedSincePush(consentThen({ expiresAt: at(-1) }), asset(1), NOW)).toBe(true);
    // An expiry still ahead has not changed anything yet.
    expect(changedSincePush(consentThen({ expiresAt: at(1) }), asset(1), NOW)).toBe(false);
    // A person the push named, since unlinked by a withdrawal: their record still counts.
    const unlinked = facts({
      ...pushed,
      faces: [face(1, 1, { state: 'unidentified', participantId: null, reason: 'consent-withdrawn' })],
      consents: new Map([[1, consent(1, { withdrawnAt: at(-1), importedAt: at(-1) })]]),
    });
    expect(changedSincePush(unlinked, asset(1), NOW)).toBe(true);
  });

  it('lists assets changed since their last push first', () => {
    const f = facts({
      assets: [asset(1), asset(2)],
      faces: [face(1, 1), face(2, 2)],
      pushes: [{ assetId: 2, participantId: 1, pushedAt: at(-5), clearedAt: null }],
      decisions: [{ faceId: 2, at: at(-1) }],
    });
    expect(shootClearanceRows(f, 'web', NOW).map((r) => [r.asset.connectorAssetId, r.changedSincePush])).toEqual([
      ['b.jpg', true],
      ['a.jpg', false],
    ]);
  });

  it('names the scopes on record, and the photos-only people it cannot link though their scopes allow it', () => {
    const f = facts({
      participants: new Map([
        [1, person(1)],
        [2, person(2)],
        [3, person(3)],
      ]),
      consents: new Map([
        [1, consent(1, { publicationScopes: ['web', 'print'] })],
        [2, consent(2, { biometricConsent: false, publicationScopes: ['web', 'all'] })],
        [3, consent(3, { biometricConsent: false, publicationScopes: ['print'] })],
      ]),
    });
    expect(scopesOnRecord(f.consents)).toEqual(['print', 'web']);
    expect(unlinkablePeople(f, 'web', NOW)).toEqual([2]);
    expect(unlinkablePeople(f, 'print', NOW)).toEqual([2, 3]);
  });

  it('a shoot of 20 000 assets and 60 000 faces is answered for every asset in under 3 seconds (facts indexed once, not read per asset)', () => {
    const assets = Array.from({ length: 20_000 }, (_, i) => asset(i + 1, { connectorAssetId: `img-${i}.jpg` }));
    const faces = assets.flatMap((a) => [0, 1, 2].map((k) => face(a.id * 3 + k, a.id)));
    const f = facts({
      assets,
      faces,
      decisions: faces.map((x) => ({ faceId: x.id, at: at(-3) })),
      pushes: assets.map((a) => ({ assetId: a.id, participantId: 1, pushedAt: at(-5), clearedAt: null })),
    });
    const started = Date.now();
    const rows = shootClearanceRows(f, 'web', NOW);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(rows.every((r) => r.cleared && r.changedSincePush)).toBe(true);
  });
});
