/**
 * Names for what Sitter writes into a packet: the prefixes it binds on the Description it writes to,
 * and taking them out again when nothing uses them any more.
 */
import { elementChildren, isElement, rdfPrefix, type XElement, type XmpDoc, type XNode } from './dom.js';
import { NS, PREFERRED_PREFIX } from './namespaces.js';
import { xmlSafe } from './serialize.js';

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
