/**
 * A thin, typed layer over the DOM that xmlbuilder2 parses into, for the few RDF/XML shapes XMP uses.
 * XMP may write one struct in several equivalent ways (rdf:parseType="Resource", a nested
 * rdf:Description, or fields as attributes), and simple values as elements or attributes; these
 * helpers read all of them, so sidecars written by exiftool, Exiv2 (digiKam, darktable) or Adobe
 * all merge.
 */
import { create } from 'xmlbuilder2';
import { SitterError } from '../../core/domain/errors.js';
import { place, removeNode } from './layout.js';
import { NS, PREFERRED_PREFIX } from './namespaces.js';
import { printPacket, xmlSafe } from './serialize.js';
import { wellFormednessProblem } from './well-formed.js';

/** The subset of the DOM used here (xmlbuilder2 ships its own DOM; this keeps us off its internals). */
export interface XNode {
  readonly nodeType: number;
  readonly parentNode: XNode | null;
  readonly previousSibling: XNode | null;
  readonly childNodes: ArrayLike<XNode>;
  textContent: string | null;
  removeChild(child: XNode): XNode;
  appendChild(child: XNode): XNode;
  insertBefore(child: XNode, before: XNode | null): XNode;
}
export interface XAttr {
  readonly namespaceURI: string | null;
  readonly localName: string;
  readonly prefix: string | null;
  readonly value: string;
}
export interface XElement extends XNode {
  readonly namespaceURI: string | null;
  readonly localName: string;
  readonly attributes: ArrayLike<XAttr>;
  readonly ownerDocument: XDocument;
  getAttributeNS(ns: string | null, local: string): string | null;
  setAttributeNS(ns: string | null, qualifiedName: string, value: string): void;
  removeAttributeNS(ns: string | null, local: string): void;
  hasAttributeNS(ns: string | null, local: string): boolean;
}
export interface XDocument extends XNode {
  createElementNS(ns: string, qualifiedName: string): XElement;
  createTextNode(data: string): XNode;
}

const ELEMENT_NODE = 1;
const DOCUMENT_TYPE_NODE = 10;

/** A parsed XMP packet: the document, its rdf:RDF element and how to print it again. */
export interface XmpDoc {
  readonly doc: XDocument;
  readonly rdf: XElement;
  serialize(): string;
}

function isElement(n: XNode): n is XElement {
  return n.nodeType === ELEMENT_NODE;
}

export function is(el: XNode | null | undefined, ns: string, local: string): el is XElement {
  return !!el && isElement(el) && el.namespaceURI === ns && el.localName === local;
}

export function elementChildren(el: XNode): XElement[] {
  return Array.from(el.childNodes).filter(isElement);
}

export function child(el: XElement, ns: string, local: string): XElement | null {
  return elementChildren(el).find((c) => is(c, ns, local)) ?? null;
}

function findFirst(node: XNode, ns: string, local: string): XElement | null {
  for (const c of elementChildren(node)) {
    if (is(c, ns, local)) return c;
    const deeper = findFirst(c, ns, local);
    if (deeper) return deeper;
  }
  return null;
}

/** Parses a sidecar; a file that is not XML or has no rdf:RDF is refused, never overwritten. */
export function parseXmp(xml: string, where: string): XmpDoc {
  // The builder's parser closes what is left open; a strict pass first, so a cut-short file is refused.
  const problem = wellFormednessProblem(xml);
  if (problem !== null) {
    throw new SitterError(
      'SIDECAR_UNREADABLE',
      `The XMP sidecar ${where} is not well-formed XML (${problem}), so Sitter will not rewrite it.`,
      'It may have been cut short by a crash or a partial copy: restore it from a backup, repair it (`exiftool -validate` shows what is wrong) or move it away, then push again.',
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

function rdfPrefix(rdf: XElement): string {
  return (rdf as unknown as { prefix: string | null }).prefix ?? 'rdf';
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

/**
 * Element and attribute names need a prefix bound on the target Description. Reuses a prefix already
 * bound there to the namespace, else declares the preferred one (or a numbered variant if that
 * prefix means something else in this file: a foreign binding is never overwritten).
 */
export class Namer {
  private readonly prefixes = new Map<string, string>();
  /** Prefixes this Namer declared on the holder (the ledger keeps them, so a clear can take them out). */
  readonly declared: string[] = [];
  constructor(
    private readonly x: XmpDoc,
    private readonly holder: XElement,
  ) {}

  private bound(): Map<string, string> {
    const m = new Map<string, string>();
    for (const a of Array.from(this.holder.attributes)) {
      if (a.namespaceURI === NS.xmlns && a.prefix === 'xmlns') m.set(a.localName, a.value);
    }
    return m;
  }

  prefix(ns: string): string {
    const known = this.prefixes.get(ns);
    if (known) return known;
    const bound = this.bound();
    for (const [p, uri] of bound) {
      if (uri === ns) {
        this.prefixes.set(ns, p);
        return p;
      }
    }
    const preferred = PREFERRED_PREFIX[ns] ?? 'ns';
    let p = preferred;
    for (let i = 1; bound.has(p) || this.usedInAncestors(p, ns); i++) p = `${preferred}${i}`;
    this.holder.setAttributeNS(NS.xmlns, `xmlns:${p}`, ns);
    this.declared.push(p);
    this.prefixes.set(ns, p);
    return p;
  }

  private usedInAncestors(p: string, ns: string): boolean {
    for (let n: XNode | null = this.holder.parentNode; n && isElement(n); n = n.parentNode) {
      const v = n.getAttributeNS(NS.xmlns, p);
      if (v !== null && v !== ns) return true;
    }
    return false;
  }

  el(ns: string, local: string, text?: string): XElement {
    const e = this.x.doc.createElementNS(
      ns,
      ns === NS.rdf ? `${rdfPrefix(this.x.rdf)}:${local}` : `${this.prefix(ns)}:${local}`,
    );
    if (text !== undefined) e.textContent = xmlSafe(text);
    return e;
  }

  attr(on: XElement, ns: string, local: string, raw: string): void {
    const value = xmlSafe(raw);
    if (ns === NS.xml) on.setAttributeNS(NS.xml, `xml:${local}`, value);
    else if (ns === NS.rdf) on.setAttributeNS(NS.rdf, `${rdfPrefix(this.x.rdf)}:${local}`, value);
    else on.setAttributeNS(ns, `${this.prefix(ns)}:${local}`, value);
  }

  /** `<prop><rdf:Bag/></prop>` (or Seq/Alt), returning the property and its container. */
  array(ns: string, local: string, kind: 'Bag' | 'Seq' | 'Alt'): { prop: XElement; container: XElement } {
    const prop = this.el(ns, local);
    const container = this.el(NS.rdf, kind);
    prop.appendChild(container);
    return { prop, container };
  }

  li(text?: string): XElement {
    return this.el(NS.rdf, 'li', text);
  }

  /** A struct item: `<rdf:li rdf:parseType="Resource">`. */
  structLi(): XElement {
    const li = this.li();
    this.attr(li, NS.rdf, 'parseType', 'Resource');
    return li;
  }

  /** `<prop><rdf:Alt><rdf:li xml:lang="x-default">text</rdf:li></rdf:Alt></prop>` */
  langAlt(ns: string, local: string, text: string): XElement {
    const { prop, container } = this.array(ns, local, 'Alt');
    const li = this.li(text);
    this.attr(li, NS.xml, 'lang', 'x-default');
    container.appendChild(li);
    return prop;
  }

  /** `<prop><rdf:Bag><rdf:li>t</rdf:li>...</rdf:Bag></prop>` */
  bag(ns: string, local: string, texts: string[]): XElement {
    const { prop, container } = this.array(ns, local, 'Bag');
    for (const t of texts) container.appendChild(this.li(t));
    return prop;
  }
}

/** True when this element or one inside it is named in, or has an attribute in, this namespace. */
function usesNamespace(el: XElement, ns: string): boolean {
  return (
    el.namespaceURI === ns ||
    Array.from(el.attributes).some((a) => a.namespaceURI === ns) ||
    elementChildren(el).some((c) => usesNamespace(c, ns))
  );
}

/** Removes these prefix declarations from `holder` where nothing in their scope uses them any more. */
export function undeclare(holder: XElement, prefixes: readonly string[]): void {
  for (const p of prefixes) {
    const ns = holder.getAttributeNS(NS.xmlns, p);
    if (ns !== null && !usesNamespace(holder, ns)) holder.removeAttributeNS(NS.xmlns, p);
  }
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
