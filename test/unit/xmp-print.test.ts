/**
 * The XMP printer gives back what it parsed: the bytes around the root element (BOM, XML declaration,
 * comments, xpacket wrapper, padding) and everything inside it Sitter did not add.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PushPayload } from '../../src/core/ports/connector.js';
import { consentUri } from '../../src/connectors/payload.js';
import { parseXmp } from '../../src/connectors/xmp/rdf.js';
import { clearXmp, pushXmp } from '../../src/connectors/xmp/sitter-xmp.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/xmp');

const payload: PushPayload = {
  assetId: 'a.jpg',
  // The XMP writer is called directly: the content-hash check belongs to the connector, not here.
  expectedContentHash: `sha256:${'0'.repeat(64)}`,
  image: { width: 64, height: 48 },
  persons: [
    {
      participantId: 'p',
      displayName: 'Ada',
      consentUri: consentUri('s', 'p'),
      box: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
      release: { id: null, status: 'unlimited', minor: false },
    },
  ],
  otherFaces: 0,
};

const PROLOG =
  '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- written by <a> tool -->\n<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n';
const EPILOG = `\n<!-- trailing -->\n${' '.repeat(2048)}\n<?xpacket end="w"?>`;
const BODY = `<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>a <!-- note --> b</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>`;

describe('XMP printer', () => {
  it('prints an unchanged packet back byte for byte', () => {
    const packet = PROLOG + BODY + EPILOG;
    expect(parseXmp(packet, 't').serialize()).toBe(packet);
    const minified = readFileSync(path.join(FIXTURES, 'minified.xmp'), 'utf8');
    expect(parseXmp(minified, 't').serialize()).toBe(minified);
  });

  it('keeps the prolog and epilog through a push, and a clear gives the packet back byte for byte', () => {
    const packet = PROLOG + BODY + EPILOG;
    const pushed = pushXmp(packet, payload, 't') ?? '';
    expect(pushed.startsWith(PROLOG)).toBe(true);
    expect(pushed.endsWith(EPILOG)).toBe(true);
    const cleared = clearXmp(pushed, undefined, 't') ?? '';
    expect(cleared).toBe(packet); // the namespace declarations Sitter added go too
  });

  it("indents what it adds like the siblings, with the file's own step", () => {
    const tabbed = BODY.replace(/^( +)/gm, (m) => '\t'.repeat(m.length));
    const pushed = pushXmp(tabbed, payload, 't') ?? '';
    expect(pushed).toContain(
      '\n\t\t\t<Iptc4xmpExt:PersonInImage>\n\t\t\t\t<rdf:Bag>\n\t\t\t\t\t<rdf:li>Ada</rdf:li>\n\t\t\t\t</rdf:Bag>\n\t\t\t</Iptc4xmpExt:PersonInImage>',
    );
  });
});
