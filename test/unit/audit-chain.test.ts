import { describe, expect, it } from 'vitest';
import { type AuditEntry, canonicalJson, chainNext, GENESIS_HASH, verifyChain } from '../../src/core/domain/audit.js';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chainNext(
        out.at(-1) ?? null,
        {
          actor: 'a',
          action: `act.${i}`,
          shootId: 's',
          subject: `x:${i}`,
          details: { i, nested: { b: 1, a: [1, 2] } },
        },
        new Date(Date.UTC(2026, 0, 1, 0, i)),
      ),
    );
  }
  return out;
}

describe('canonical serialisation', () => {
  it('is independent of key order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
  it('serialises dates as ISO strings, as JSON.stringify does', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(canonicalJson({ d })).toBe(canonicalJson(JSON.parse(JSON.stringify({ d }))));
  });
});

describe('rule 7: the hash chain', () => {
  it('links every entry to the previous one from the genesis hash', () => {
    const entries = chain(3);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(verifyChain(entries)).toEqual({ ok: true, count: 3, headHash: entries[2]?.hash, headSeq: 3 });
  });

  it('names an altered entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, details: { i: 99 } };
    expect(verifyChain(entries)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('names a deleted entry by its missing sequence number', () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(verifyChain(entries)).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it('names the first of two swapped entries', () => {
    const entries = chain(5);
    const a = entries[3]!;
    const b = entries[4]!;
    // Swap their places but keep each one's own content (as a reordering of rows would).
    entries[3] = { ...b, seq: 4 };
    entries[4] = { ...a, seq: 5 };
    expect(verifyChain(entries)).toMatchObject({ ok: false, firstBadSeq: 4 });
  });

  it('detects an entry rewritten with a fresh hash by its broken link', () => {
    const entries = chain(4);
    const forged = chainNext(
      entries[0]!,
      { actor: 'mallory', action: 'act.1', shootId: 's', subject: 'x:1', details: {} },
      entries[1]!.at,
    );
    entries[1] = forged;
    expect(verifyChain(entries)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });
});
