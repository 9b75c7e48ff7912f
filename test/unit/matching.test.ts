import { describe, expect, it } from 'vitest';
import { assignMinCost } from '../../src/core/domain/assignment.js';
import { matchImage } from '../../src/core/domain/matching.js';

const v = (...xs: number[]) => Float32Array.from(xs);
const limits = { threshold: 0.6, margin: 0.05 };

describe('joint assignment', () => {
  it('finds the minimum total, not the greedy choice', () => {
    // Greedy would give row 0 column 0 (1) and leave row 1 with column 1 (10): total 11.
    expect(
      assignMinCost([
        [1, 2],
        [1.5, 10],
      ]),
    ).toEqual([1, 0]);
  });
  it('leaves rows unpaired when only forbidden pairs remain', () => {
    expect(
      assignMinCost([
        [1, Infinity],
        [2, Infinity],
        [Infinity, Infinity],
      ]),
    ).toEqual([0, -1, -1]);
    expect(assignMinCost([[Infinity]])).toEqual([-1]);
  });
  it('handles more columns than rows and empty input', () => {
    expect(assignMinCost([[5, 1, 3]])).toEqual([1]);
    expect(assignMinCost([])).toEqual([]);
  });
});

describe('matching the faces of one image', () => {
  const roster = [
    { participantId: 1, embeddings: [v(0, 0)] },
    { participantId: 2, embeddings: [v(1, 0)] },
  ];

  it('proposes each participant at most once per image, jointly', () => {
    // Face A is near both (0.3 from P1, 0.7 from P2); face B is 0.2 from P1 and 0.55 from P2.
    // Greedy by face would give A->P1 and leave B with P2 at 0.55; joint gives B->P1 and A nobody within threshold of P2.
    const faces = [v(0.3, 0), v(0.2, 0)];
    const verdicts = matchImage(faces, roster, { threshold: 0.6, margin: 0 });
    const proposed = verdicts
      .filter((x) => x.kind === 'proposed')
      .map((x) => (x.kind === 'proposed' ? x.participantId : 0));
    expect(new Set(proposed).size).toBe(proposed.length);
    expect(verdicts[1]).toMatchObject({ kind: 'proposed', participantId: 1 });
  });

  it('leaves a stranger unidentified', () => {
    expect(matchImage([v(5, 5)], roster, limits)).toEqual([
      { kind: 'unidentified', reason: 'no-match', nearestDistance: expect.any(Number) },
    ]);
  });

  it('does not name a face that is as close to two people (margin)', () => {
    expect(matchImage([v(0.5, 0)], roster, limits)[0]).toMatchObject({ kind: 'unidentified', reason: 'ambiguous' });
  });

  it('reports score and margin to the runner-up', () => {
    const [verdict] = matchImage([v(0.1, 0)], roster, limits);
    expect(verdict).toMatchObject({ kind: 'proposed', participantId: 1 });
    if (verdict?.kind !== 'proposed') throw new Error('expected a proposal');
    expect(verdict.distance).toBeCloseTo(0.1);
    expect(verdict.margin).toBeCloseTo(0.8);
    expect(verdict.score).toBeCloseTo(0.9);
  });

  it('never proposes an excluded (rejected) pair', () => {
    const [verdict] = matchImage([v(0.1, 0)], roster, limits, (_f, p) => p === 1);
    expect(verdict).toMatchObject({ kind: 'unidentified' });
  });

  it('uses the nearest of several templates', () => {
    const multi = [{ participantId: 7, embeddings: [v(3, 3), v(0, 0.1)] }];
    expect(matchImage([v(0, 0)], multi, limits)[0]).toMatchObject({ kind: 'proposed', participantId: 7 });
  });
});
