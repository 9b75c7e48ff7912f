import { describe, expect, it } from 'vitest';
import { checkAnchor, formatAnchor, parseAnchor } from '../../src/core/domain/anchor.js';
import { mentionsOf, tracesInWrittenFiles } from '../../src/core/services/erasure-check.js';
import { FakeDamConnector, FakeSource } from '../helpers/fakes.js';

const ada = { shootId: 's', participantId: 1, externalRef: 'P1', displayName: 'Ada Leaving', guardian: null };

describe('what the erasure check counts as naming the person', () => {
  it('finds the name in any case, the consent URI, and the reference only as a whole token', () => {
    expect(mentionsOf('<rdf:li>ada leaving</rdf:li>', ada)).toEqual(['name']);
    expect(mentionsOf('<Iptc4xmpExt:PersonId>urn:sitter:consent:s:P1</Iptc4xmpExt:PersonId>', ada)).toEqual([
      'consent URI',
    ]);
    expect(mentionsOf('{"subject":"participant:P1"}', ada)).toEqual(['reference']);
    expect(mentionsOf('{"participants":["P10","XP1","P1-b"]}', ada)).toEqual([]);
    expect(mentionsOf('{"participant":"#1"}', ada)).toEqual([]);
  });
});

describe('the read-back of a DAM with an approval queue', () => {
  it("an edit of Sitter's awaiting approval is not proven clean, even when the text shown names nobody", async () => {
    const dam = new FakeDamConnector(new FakeSource());
    dam.written.set('a.jpg', { text: 'urn:sitter:consent:s:P2\tBen Staying', pending: true });
    dam.written.set('b.jpg', { text: '', pending: false });
    const asset = (id: string) => ({ connectorAssetId: id }) as Parameters<typeof tracesInWrittenFiles>[2][number];
    const found = await tracesInWrittenFiles(dam, 'src', [asset('a.jpg'), asset('b.jpg')], ada);
    expect(found.traces).toEqual([]);
    expect(found.unverified).toEqual([
      { place: 'fake-dam:a.jpg#sitter', what: "an edit of Sitter's awaits the DAM's approval" },
    ]);
    expect(dam.callOptions.map((c) => c.options?.priority)).toEqual(['push', 'push']);
  });
});

describe('audit anchors', () => {
  const chain = [1, 2, 3].map((seq) => ({ seq, hash: String(seq).repeat(64) }));
  it('round-trips and is reached by an intact chain', () => {
    const anchor = parseAnchor(formatAnchor(chain[1]!));
    expect(anchor).toEqual({ seq: 2, hash: '2'.repeat(64) });
    expect(checkAnchor(chain, anchor)).toEqual({ ok: true });
  });
  it('fails on a chain cut before the anchor, or with another entry there', () => {
    expect(checkAnchor(chain.slice(0, 1), { seq: 2, hash: '2'.repeat(64) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/ends at entry 1/),
    });
    expect(checkAnchor(chain, { seq: 2, hash: 'f'.repeat(64) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/rewritten/),
    });
  });
  it('refuses what is not HASH@SEQ', () => {
    for (const bad of ['', 'abc@1', `${'a'.repeat(64)}@0`, `${'a'.repeat(64)}`])
      expect(() => parseAnchor(bad)).toThrow(/not an audit anchor/);
  });
});
