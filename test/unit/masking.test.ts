import { describe, expect, it } from 'vitest';
import { MASK_MARGIN, type MaskFace, maskArea, maskPlan } from '../../src/core/domain/masking.js';
import type { ConsentRecord, Participant } from '../../src/core/domain/records.js';

const NOW = new Date('2026-06-01T10:00:00Z');
const BOX = { x: 0.4, y: 0.4, w: 0.2, h: 0.1 };
const people = new Map<number, Participant>(
  [1, 2].map((id) => [
    id,
    { id, shootId: 's', externalRef: `P${id}`, displayName: `N${id}`, minor: false, guardian: null, createdAt: NOW },
  ]),
);
const record = (participantId: number, scopes: string[]) =>
  ({
    participantId,
    publicationScopes: scopes,
    signedAt: new Date('2026-01-01'),
    expiresAt: null,
    withdrawnAt: null,
  }) as ConsentRecord;
const consents = new Map([
  [1, record(1, ['web'])],
  [2, record(2, ['print'])],
]);
const face = (id: number, over: Partial<MaskFace>): MaskFace => ({
  id,
  assetId: 7,
  state: 'confirmed',
  participantId: 1,
  reason: null,
  ...BOX,
  ...over,
});

describe('masking (pure)', () => {
  it('grows the box by a quarter of its own size on every side, clamped to the image', () => {
    const a = maskArea(BOX);
    expect(MASK_MARGIN).toBe(0.25);
    expect(a.x).toBeCloseTo(0.35);
    expect(a.y).toBeCloseTo(0.375);
    expect(a.w).toBeCloseTo(0.3);
    expect(a.h).toBeCloseTo(0.15);
    const edge = maskArea({ x: 0, y: 0.9, w: 0.2, h: 0.1 });
    expect(edge.x).toBe(0);
    expect(edge.y + edge.h).toBeCloseTo(1);
    expect(edge.w).toBeCloseTo(0.25);
  });

  it('keeps only faces clearance covers; masks every other one with its reason, ignored faces too', () => {
    const plan = maskPlan(
      { participants: people, consents },
      { id: 7, scanState: 'scanned' },
      [
        face(1, {}),
        face(2, { participantId: 2 }),
        face(3, { state: 'proposed' }),
        face(4, { state: 'rejected', participantId: null, reason: 'no-match' }),
        face(5, { state: 'unidentified', participantId: null, reason: 'consent-withdrawn' }),
        face(6, { state: 'ignored', participantId: null }),
        face(7, { assetId: 8 }), // another asset's face
      ],
      'web',
      NOW,
    );
    expect(plan.kept).toEqual([{ face: 1, box: BOX, participantId: 1 }]);
    expect(plan.masked.map((m) => [m.face, m.reason])).toEqual([
      [2, 'scope-missing'],
      [3, 'face-unreviewed'],
      [4, 'face-unidentified'],
      [5, 'consent-withdrawn'],
      [6, 'face-ignored'],
    ]);
    expect(plan.masked[0]!.area).toEqual(maskArea(BOX));
  });

  it('an expiry changes the answer: kept today, masked once the consent has expired', () => {
    const expiring = new Map([[1, { ...record(1, ['web']), expiresAt: new Date('2026-06-02T00:00:00Z') }]]);
    const plan = (now: Date) =>
      maskPlan(
        { participants: people, consents: expiring },
        { id: 7, scanState: 'scanned' },
        [face(1, {})],
        'web',
        now,
      );
    expect(plan(NOW).kept).toHaveLength(1);
    expect(plan(new Date('2026-06-03T00:00:00Z')).masked.map((m) => m.reason)).toEqual(['consent-expired']);
  });
});
