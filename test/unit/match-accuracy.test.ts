import { describe, expect, it } from 'vitest';
import { bandOf, faceVerdict } from '../../src/core/domain/match-accuracy.js';
import type { Decision, DecisionAction, FaceState } from '../../src/core/domain/records.js';

let nextId = 1;
const decision = (
  action: DecisionAction,
  participantId: number,
  previous: [FaceState, number | null],
  undone = false,
): Decision => ({
  id: nextId++,
  shootId: 's',
  faceId: 1,
  reviewer: 'Rita',
  action,
  participantId,
  at: new Date(0),
  undoneAt: undone ? new Date(1) : null,
  previousState: previous[0],
  previousParticipantId: previous[1],
  consentRecordId: null,
  consentFormSha256: null,
});

describe('per-shoot accuracy (domain/match-accuracy.ts)', () => {
  it('puts a score on the band edge where the documented range says, whatever the float error', () => {
    const t = 0.565;
    expect(bandOf(1 - 0.565, t)).toBe(0); // d = t: the least certain band
    expect(bandOf(1 - 0.515, t)).toBe(1); // d = t - 0.05 belongs to (t-0.10, t-0.05]
    expect(bandOf(1 - 0.5151, t)).toBe(0);
    expect(bandOf(1 - 0.415, t)).toBe(3);
    expect(bandOf(0.99, t)).toBe(3);
  });

  it('judges a face by its standing decisions: two-person pending, reject then assign is a reassignment, an undo does not count', () => {
    const proposedTo1: [FaceState, number] = ['proposed', 1];
    expect(faceVerdict({ state: 'proposed' }, [])).toEqual({ kind: 'proposal', outcome: 'pending' });
    expect(faceVerdict({ state: 'proposed' }, [decision('confirm', 1, proposedTo1)])).toEqual({
      kind: 'proposal',
      outcome: 'pending',
    });
    expect(faceVerdict({ state: 'confirmed' }, [decision('confirm', 1, proposedTo1)])).toEqual({
      kind: 'proposal',
      outcome: 'confirmed',
    });
    expect(
      faceVerdict({ state: 'confirmed' }, [decision('reject', 1, proposedTo1), decision('assign', 2, ['rejected', 1])]),
    ).toEqual({ kind: 'proposal', outcome: 'reassigned' });
    expect(faceVerdict({ state: 'proposed' }, [decision('reject', 1, proposedTo1, true)])).toEqual({
      kind: 'proposal',
      outcome: 'pending',
    });
    expect(faceVerdict({ state: 'confirmed' }, [decision('assign', 2, ['unidentified', null])])).toEqual({
      kind: 'missed',
    });
    expect(faceVerdict({ state: 'unidentified' }, [])).toEqual({ kind: 'none' });
  });
});
