import { describe, expect, it } from 'vitest';
import { consentStatus, formDigest, isBiometricallyEligible, refuseConsentRow } from '../../src/core/domain/consent.js';
import type { Decision } from '../../src/core/domain/records.js';
import { consentLinkOf } from '../../src/core/domain/review.js';
import { assertListedAsset, assertSourceAllowed, isSystemFolder, sourceRelation } from '../../src/core/domain/scope.js';
import { captureVerdict } from '../../src/core/domain/shoot-dates.js';
import { assertBiometricProcessingAllowed, type Shoot, validateNewShoot } from '../../src/core/domain/shoot.js';

const now = new Date('2026-06-01T12:00:00Z');
const valid = {
  biometricConsent: true,
  signedAt: new Date('2026-01-01'),
  expiresAt: new Date('2027-01-01'),
  withdrawnAt: null,
};

describe('rule 3: consent gates biometrics', () => {
  it('allows only signed, unexpired, unwithdrawn biometric consent', () => {
    expect(consentStatus(valid, now)).toBe('eligible');
    expect(isBiometricallyEligible({ ...valid, expiresAt: null }, now)).toBe(true);
  });
  it('treats "photos yes, biometrics no" as its own status, never eligible', () => {
    expect(consentStatus({ ...valid, biometricConsent: false }, now)).toBe('photos-only');
    expect(isBiometricallyEligible({ ...valid, biometricConsent: false }, now)).toBe(false);
  });
  it('excludes an expired record from the moment it expires', () => {
    expect(consentStatus({ ...valid, expiresAt: now }, now)).toBe('expired');
    expect(consentStatus({ ...valid, expiresAt: new Date(now.getTime() + 1) }, now)).toBe('eligible');
  });
  it('excludes a withdrawn record, even when the consent was yes', () => {
    expect(consentStatus({ ...valid, withdrawnAt: new Date('2026-05-01') }, now)).toBe('withdrawn');
  });
  it('does not act on a withdrawal dated in the future until it arrives', () => {
    expect(consentStatus({ ...valid, withdrawnAt: new Date('2026-07-01') }, now)).toBe('eligible');
  });
  it('excludes unsigned or future-signed records', () => {
    expect(consentStatus({ ...valid, signedAt: null }, now)).toBe('not-yet-signed');
    expect(consentStatus({ ...valid, signedAt: new Date('2026-07-01') }, now)).toBe('not-yet-signed');
  });
});

function shoot(overrides: Partial<Shoot>): Shoot {
  return {
    id: 's1',
    name: 'S',
    purpose: 'p',
    connector: 'local',
    connectorOptions: {},
    source: '/x',
    retentionDays: 30,
    reviewersRequired: 1,
    shootFrom: '2026-05-30',
    shootTo: '2026-06-01',
    utcOffset: '+00:00',
    status: 'approved',
    dpiaRef: 'D',
    approvedBy: 'A',
    approvedAt: now,
    matchThreshold: null,
    matchMargin: null,
    createdAt: now,
    closedAt: null,
    ...overrides,
  };
}

describe('rule 6: a withdrawal stands until a new consent is given', () => {
  const withdrawnAt = new Date('2026-05-01T09:00:00Z');
  const oldForm = 'a'.repeat(64);
  const memory = {
    forms: new Map([[formDigest(oldForm), withdrawnAt]]),
    latestByParticipant: new Map([[7, withdrawnAt]]),
  };
  const row = { ...valid, formSha256: 'b'.repeat(64) };
  it('refuses a withdrawn form whatever its dates, for anyone, even after an erasure', () => {
    expect(refuseConsentRow(memory, 7, { ...row, formSha256: oldForm, signedAt: new Date('2026-05-20') }, now)).toEqual(
      { kind: 'form-withdrawn', withdrawnAt },
    );
    expect(refuseConsentRow(memory, null, { ...row, formSha256: oldForm.toUpperCase() }, now)?.kind).toBe(
      'form-withdrawn',
    );
  });
  it('refuses a new form not signed after the latest withdrawal, or signed in the future', () => {
    expect(refuseConsentRow(memory, 7, row, now)?.kind).toBe('withdrawal-stands');
    expect(refuseConsentRow(memory, 7, { ...row, signedAt: withdrawnAt }, now)?.kind).toBe('withdrawal-stands');
    expect(refuseConsentRow(memory, 7, { ...row, signedAt: new Date('2026-06-02') }, now)?.kind).toBe(
      'withdrawal-stands',
    );
    expect(refuseConsentRow(memory, 7, { ...row, withdrawnAt: new Date('2026-09-01') }, now)?.kind).toBe(
      'withdrawal-stands',
    );
  });
  it('accepts a new form signed after the withdrawal, a row that keeps the withdrawal, and anyone who never withdrew', () => {
    expect(refuseConsentRow(memory, 7, { ...row, signedAt: new Date('2026-05-02') }, now)).toBeNull();
    expect(refuseConsentRow(memory, 7, { ...row, formSha256: oldForm, withdrawnAt }, now)).toBeNull();
    expect(refuseConsentRow(memory, 8, row, now)).toBeNull();
  });
});

describe('consent at face level', () => {
  const d = (id: number, over: Partial<Decision>): Decision => ({
    id,
    shootId: 's',
    faceId: 1,
    reviewer: 'A',
    action: 'confirm',
    participantId: 1,
    at: now,
    undoneAt: null,
    previousState: 'proposed',
    previousParticipantId: 1,
    consentRecordId: id * 10,
    consentFormSha256: `sha${id}`,
    ...over,
  });
  it('names the version of the confirmation that made the face confirmed, and nothing for a face that is not confirmed', () => {
    const two = [d(1, { reviewer: 'A' }), d(2, { reviewer: 'B' })];
    expect(consentLinkOf({ participantId: 1, state: 'confirmed' }, two)).toEqual({ id: 20, formSha256: 'sha2' });
    expect(consentLinkOf({ participantId: 1, state: 'proposed' }, two)).toBeNull();
  });
  it('ignores undone decisions and starts again after a rejection', () => {
    expect(consentLinkOf({ participantId: 1, state: 'confirmed' }, [d(1, {}), d(2, { undoneAt: now })])).toEqual({
      id: 10,
      formSha256: 'sha1',
    });
    expect(
      consentLinkOf({ participantId: 1, state: 'confirmed' }, [
        d(1, {}),
        d(2, { action: 'reject', consentRecordId: null }),
      ]),
    ).toBeNull();
    expect(
      consentLinkOf({ participantId: 1, state: 'confirmed' }, [
        d(1, { consentRecordId: null, consentFormSha256: null }),
      ]),
    ).toBeNull();
  });
});

describe('rule 2: approval before processing', () => {
  it('refuses a draft and a closed shoot, with a hint', () => {
    expect(() =>
      assertBiometricProcessingAllowed(
        shoot({ status: 'draft', dpiaRef: null, approvedBy: null, approvedAt: null }),
        'scan',
      ),
    ).toThrow(expect.objectContaining({ code: 'SHOOT_NOT_APPROVED', hint: expect.stringContaining('shoot approve') }));
    expect(() => assertBiometricProcessingAllowed(shoot({ status: 'closed' }), 'enrol')).toThrow(
      expect.objectContaining({ code: 'SHOOT_CLOSED' }),
    );
  });
  it('refuses an "approved" shoot that lacks its DPIA record', () => {
    expect(() => assertBiometricProcessingAllowed(shoot({ dpiaRef: null }), 'scan')).toThrow(
      expect.objectContaining({ code: 'SHOOT_APPROVAL_INCOMPLETE' }),
    );
  });
  it('allows an approved shoot with its record', () => {
    expect(() => assertBiometricProcessingAllowed(shoot({}), 'scan')).not.toThrow();
  });
  it('requires purpose and retention at creation', () => {
    const ok = {
      id: 'a',
      name: 'n',
      purpose: 'p',
      source: '/s',
      retentionDays: 30,
      connector: 'local',
      reviewersRequired: 1,
      from: '2026-05-30',
      to: '2026-06-01',
      utcOffset: '+00:00',
    };
    expect(() => validateNewShoot(ok)).not.toThrow();
    expect(() => validateNewShoot({ ...ok, purpose: '' })).toThrow(expect.objectContaining({ code: 'SHOOT_INVALID' }));
    expect(() => validateNewShoot({ ...ok, retentionDays: 0 })).toThrow(
      expect.objectContaining({ code: 'SHOOT_INVALID' }),
    );
    expect(() => validateNewShoot({ ...ok, reviewersRequired: 3 })).toThrow(
      expect.objectContaining({ code: 'SHOOT_INVALID' }),
    );
    expect(() => validateNewShoot({ ...ok, id: '../x' })).toThrow(expect.objectContaining({ code: 'SHOOT_INVALID' }));
  });
});

describe('rule 1: scope', () => {
  it('refuses an asset the connector did not list for the shoot', () => {
    const listed = new Set(['a.jpg', 'sub/b.jpg']);
    expect(() => assertListedAsset('s1', listed, 'sub/b.jpg')).not.toThrow();
    expect(() => assertListedAsset('s1', listed, '../other/c.jpg')).toThrow(
      expect.objectContaining({ code: 'ASSET_OUT_OF_SCOPE' }),
    );
    expect(() => assertListedAsset('s1', listed, 'c.jpg')).toThrow(
      expect.objectContaining({ code: 'ASSET_OUT_OF_SCOPE' }),
    );
  });
});

describe('rule 1: shoot dates', () => {
  const dates = { from: '2026-05-01', to: '2026-05-02', utcOffset: '+02:00' };
  it('counts the declared days, both inclusive, in the shoot offset', () => {
    expect(captureVerdict(dates, { local: '2026-05-01T00:00:00', offset: null })).toEqual({
      kind: 'inside',
      capturedAt: '2026-05-01T00:00:00+02:00',
    });
    expect(captureVerdict(dates, { local: '2026-05-02T23:59:59', offset: null }).kind).toBe('inside');
    expect(captureVerdict(dates, { local: '2026-05-03T00:00:00', offset: null }).kind).toBe('outside');
    expect(captureVerdict(dates, { local: '2026-04-30T23:59:59', offset: null }).kind).toBe('outside');
  });
  it('compares a time with its own offset as the instant it is', () => {
    // 22:30 UTC on 30 April is 00:30 on 1 May at +02:00: inside.
    expect(captureVerdict(dates, { local: '2026-04-30T22:30:00', offset: '+00:00' }).kind).toBe('inside');
    expect(captureVerdict(dates, { local: '2026-05-02T22:30:00', offset: '+00:00' }).kind).toBe('outside');
  });
  it('treats a missing or unreadable capture time as none, for a person to decide', () => {
    expect(captureVerdict(dates, null)).toEqual({ kind: 'no-capture-time' });
    expect(captureVerdict(dates, { local: '2026-13-45T99:00:00', offset: null })).toEqual({ kind: 'no-capture-time' });
  });
});

describe('rule 1: sources never overlap', () => {
  it('compares whole path segments', () => {
    expect(sourceRelation('/p/spring', '/p/spring/')).toBe('same');
    expect(sourceRelation('/p/spring/day1', '/p/spring')).toBe('inside');
    expect(sourceRelation('/p', '/p/spring')).toBe('around');
    expect(sourceRelation('/p/spring-2', '/p/spring')).toBeNull();
    expect(sourceRelation('/', '/p')).toBe('around');
  });
});

describe("rule 1: no shoot over a system tree, the root or a root of others' folders", () => {
  const refusedAsBroad = (source: string) => {
    try {
      assertSourceAllowed('x', 'local', source, {
        workspaceDir: '/srv/sitter-ws',
        homeDir: '/home/ada',
        openShoots: [],
      });
    } catch (e) {
      return (e as { code?: string }).code === 'SOURCE_TOO_BROAD';
    }
    return false;
  };

  it('refuses every system tree and anything beneath one', () => {
    for (const source of [
      '/proc',
      '/proc/1',
      '/sys/kernel',
      '/etc',
      '/etc/ssl',
      '/usr/share',
      '/usr/local/photos',
      '/dev/shm',
      '/bin',
      '/sbin/x',
      '/lib/x',
      '/lib64',
      '/boot/efi',
      '/run/user/1000',
      '/var/log/photos',
      '/var/lib/x',
    ]) {
      expect(isSystemFolder(source), source).toBe(true);
      expect(refusedAsBroad(source), source).toBe(true);
    }
  });

  it('refuses roots only as they are: a shoot folder beneath them is allowed', () => {
    for (const root of ['/', '/tmp', '/home', '/mnt', '/media', '/srv', '/var', '/opt', '/home/ada'])
      expect(refusedAsBroad(root), root).toBe(true);
    for (const source of [
      '/tmp/shoot',
      '/home/ada/photos/gala',
      '/mnt/card/DCIM',
      '/media/ada/SD',
      '/srv/photos/gala',
      '/var/photos',
      '/opt/archive/shoot',
      '/processing',
      '/etcetera/x',
      '/usrphotos',
    ]) {
      expect(isSystemFolder(source), source).toBe(false);
      expect(refusedAsBroad(source), source).toBe(false);
    }
  });
});
