/**
 * The subset of the DOM that xmlbuilder2 parses into which the XMP code uses, and the walks over it.
 * Its own module so the printer (serialize.ts) and the layout helpers depend on the node types without
 * depending on the RDF reading that uses them.
 */

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

/** A parsed XMP packet: the document, its rdf:RDF element and how to print it again. */
export interface XmpDoc {
  readonly doc: XDocument;
  readonly rdf: XElement;
  serialize(): string;
}

export function isElement(n: XNode): n is XElement {
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

export function findFirst(node: XNode, ns: string, local: string): XElement | null {
  for (const c of elementChildren(node)) {
    if (is(c, ns, local)) return c;
    const deeper = findFirst(c, ns, local);
    if (deeper) return deeper;
  }
  return null;
}

export function rdfPrefix(rdf: XElement): string {
  return (rdf as unknown as { prefix: string | null }).prefix ?? 'rdf';
}
