/**
 * A thin, typed layer over the DOM that xmlbuilder2 parses into, for the few RDF/XML shapes XMP uses.
 * XMP may write one struct in several equivalent ways (rdf:parseType="Resource", a nested
 * rdf:Description, or fields as attributes), and simple values as elements or attributes; these
 * helpers read all of them, so sidecars written by exiftool, Exiv2 (digiKam, darktable) or Adobe
 * all merge.
 */
import { create } from 'xmlbuilder2';
import { SitterError } from '../../core/domain/errors.js';
import { child, elementChildren, findFirst, is, rdfPrefix, type XDocument, type XElement, type XmpDoc } from './dom.js';
import { place, removeNode } from './layout.js';
import { NS } from './namespaces.js';
import { printPacket } from './serialize.js';
import { wellFormednessProblem } from './well-formed.js';

// The XMP code imports its node types, tree walks and the Namer from here, one module for reading and writing RDF.
export * from './dom.js';
export { Namer, undeclare } from './namer.js';
import type { Namer } from './namer.js';

const DOCUMENT_TYPE_NODE = 10;

/** Parses a sidecar; a file that is not XML or has no rdf:RDF is refused, never overwritten. */
export function parseXmp(xml: string, where: string): XmpDoc {
  // The builder's parser closes what is left open; a strict pass first, so a cut-short file is refused.
  const problem = wellFormednessProblem(xml);
  if (problem !== null) {
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The XMP sidecar ${where} is not well-formed XML (${problem}), so Sitter will not rewrite it.`,
      'It may have been cut short by a crash or a partial copy: restore it from a backup, repair it ' +
        '(`exiftool -validate` shows what is wrong) or move it away, then push again.',
      { path: where, problem },
    );
  }
  let root;
  try {
    root = create({ skipWhitespaceOnlyText: false }, xml);
  } catch (e) {
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The XMP sidecar ${where} is not well-formed XML, so Sitter will not rewrite it.`,
      'Repair it (e.g. `exiftool -validate` shows what is wrong) or move it away, then push again.',
      { path: where },
      { cause: e },
    );
  }
  const doc = root.node as unknown as XDocument;
  if (Array.from(doc.childNodes).some((n) => n.nodeType === DOCUMENT_TYPE_NODE)) {
    // XMP forbids DTDs; and entities the parser does not expand would be mangled on rewrite.
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The XMP sidecar ${where} contains a DOCTYPE, which XMP does not allow, so Sitter will not rewrite it.`,
      'Remove the DOCTYPE (or the file) and push again.',
      { path: where },
    );
  }
  const rdf = findFirst(doc, NS.rdf, 'RDF');
  if (!rdf) {
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The file ${where} has no rdf:RDF element: it is not an XMP sidecar, so Sitter will not rewrite it.`,
      'Move the file away (or rename it) and push again.',
      { path: where },
    );
  }
  // Printed back as parsed (see serialize.ts): what Sitter does not own keeps its exact text.
  return { doc, rdf, serialize: () => printPacket(doc, xml) };
}

/** The packet Sitter starts a new sidecar from: a fixed text, so nothing user-supplied is concatenated. */
const EMPTY_PACKET = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Sitter">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/** A fresh, empty XMP packet (xpacket wrapper + x:xmpmeta + one rdf:Description). */
export function emptyXmp(): XmpDoc {
  return parseXmp(EMPTY_PACKET, 'new sidecar');
}

/** The top-level rdf:Description elements (XMP's property holders). */
export function descriptions(x: XmpDoc): XElement[] {
  return elementChildren(x.rdf).filter((c) => is(c, NS.rdf, 'Description'));
}

/** The Description Sitter adds properties to: the first one, created if there is none. */
export function targetDescription(x: XmpDoc): XElement {
  const first = descriptions(x)[0];
  if (first) return first;
  const d = x.doc.createElementNS(NS.rdf, `${rdfPrefix(x.rdf)}:Description`);
  d.setAttributeNS(NS.rdf, `${rdfPrefix(x.rdf)}:about`, '');
  place(x.rdf, d);
  return d;
}

/** Top-level property elements with this name, across all Descriptions. */
export function topLevel(x: XmpDoc, ns: string, local: string): XElement[] {
  return descriptions(x).flatMap((d) => elementChildren(d).filter((c) => is(c, ns, local)));
}

/** A simple top-level property (element or attribute form) and a way to change or remove it. */
export interface SimpleProperty {
  value: string;
  set(value: string): void;
  remove(): void;
}

export function simpleTopLevel(x: XmpDoc, ns: string, local: string): SimpleProperty | null {
  for (const d of descriptions(x)) {
    const attr = d.getAttributeNS(ns, local);
    if (attr !== null) {
      const qn = Array.from(d.attributes).find((a) => a.namespaceURI === ns && a.localName === local);
      const qname = qn?.prefix ? `${qn.prefix}:${local}` : local;
      return { value: attr, set: (v) => d.setAttributeNS(ns, qname, v), remove: () => d.removeAttributeNS(ns, local) };
    }
    const el = elementChildren(d).find((c) => is(c, ns, local));
    if (el) {
      return {
        value: el.getAttributeNS(NS.rdf, 'resource') ?? el.textContent ?? '',
        set: (v) => {
          if (el.hasAttributeNS(NS.rdf, 'resource')) el.setAttributeNS(NS.rdf, 'rdf:resource', v);
          else el.textContent = v;
        },
        remove: () => removeNode(el),
      };
    }
  }
  return null;
}

/** The element that holds a struct's fields: the property itself, or its nested rdf:Description. */
export function structBody(prop: XElement): XElement {
  if (prop.getAttributeNS(NS.rdf, 'parseType') === 'Resource') return prop;
  return child(prop, NS.rdf, 'Description') ?? prop;
}

/** A struct field's element, or null (attribute-form fields are read with `fieldText`). */
export function fieldElement(body: XElement, ns: string, local: string): XElement | null {
  return child(body, ns, local);
}

/** A simple struct field's text, whether written as attribute or element. */
export function fieldText(body: XElement, ns: string, local: string): string | null {
  const attr = body.getAttributeNS(ns, local);
  if (attr !== null) return attr;
  const el = child(body, ns, local);
  if (!el) return null;
  return el.getAttributeNS(NS.rdf, 'resource') ?? el.textContent ?? '';
}

/** The rdf:Bag/Seq/Alt inside an array property, or null. */
export function arrayContainer(prop: XElement): XElement | null {
  return (
    elementChildren(prop).find((c) => is(c, NS.rdf, 'Bag') || is(c, NS.rdf, 'Seq') || is(c, NS.rdf, 'Alt')) ?? null
  );
}

export function arrayItems(prop: XElement): XElement[] {
  const c = arrayContainer(prop);
  return c ? elementChildren(c).filter((li) => is(li, NS.rdf, 'li')) : [];
}

/** A text item's value (rdf:resource or text). */
export function itemText(li: XElement): string {
  return li.getAttributeNS(NS.rdf, 'resource') ?? li.textContent ?? '';
}

/** Texts of an array property's items. */
export function arrayTexts(prop: XElement | null): string[] {
  return prop ? arrayItems(prop).map(itemText) : [];
}

/** True when no Description holds any property (elements or non-rdf, non-xmlns attributes). */
export function hasNoProperties(x: XmpDoc): boolean {
  return descriptions(x).every(
    (d) =>
      elementChildren(d).length === 0 &&
      Array.from(d.attributes).every(
        (a) => a.namespaceURI === NS.rdf || a.namespaceURI === NS.xmlns || a.namespaceURI === null,
      ),
  );
}

/**
 * The first top-level array property with this name (its rdf:Bag/Seq/Alt), or a new one of `kind`
 * appended to the holder. An existing property keeps the container kind its writer chose.
 */
export function arrayProp(
  x: XmpDoc,
  n: Namer,
  holder: XElement,
  ns: string,
  local: string,
  kind: 'Bag' | 'Seq' = 'Bag',
): XElement {
  const prop = topLevel(x, ns, local)[0];
  if (prop) {
    const c = arrayContainer(prop);
    if (c) return c;
    const container = n.el(NS.rdf, kind);
    place(prop, container);
    return container;
  }
  const { prop: created, container } = n.array(ns, local, kind);
  place(holder, created);
  return container;
}
