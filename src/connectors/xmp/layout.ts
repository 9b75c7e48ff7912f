/**
 * Inserting and removing Sitter's elements without touching the layout of anything else.
 *
 * A packet is printed back as parsed (serialize.ts), so the indentation of what Sitter adds has to be
 * made here: a new element gets the indentation of its future siblings (or its parent's plus one
 * step), its own subtree is indented below it, and a removed element takes the whitespace before it
 * along. Removing what was inserted therefore gives the same text back, which keeps pushes
 * byte-for-byte repeatable. In a packet written without line breaks, nothing is indented.
 */
import type { XElement, XNode } from './dom.js';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function isElement(n: XNode | null): n is XElement {
  return !!n && n.nodeType === ELEMENT_NODE;
}

function isBlank(n: XNode | null): boolean {
  return !!n && n.nodeType === TEXT_NODE && (n.textContent ?? '').trim() === '';
}

/** The indentation of a line break in this whitespace (what follows its last newline), or null. */
function indentIn(ws: XNode | null): string | null {
  if (!isBlank(ws)) return null;
  const t = ws?.textContent ?? '';
  const nl = t.lastIndexOf('\n');
  return nl < 0 ? null : t.slice(nl + 1);
}

/** The indentation of the line an element starts on, or null when it does not start a line. */
function lineIndent(el: XNode): string | null {
  return indentIn(el.previousSibling);
}

/** The line end the file uses around `n` (a Windows file keeps CRLF in what Sitter adds). */
function lineEndNear(n: XNode | null): string {
  return n && isBlank(n) && (n.textContent ?? '').includes('\r\n') ? '\r\n' : '\n';
}

/** One indentation step: what a parent's children add to it, else one space. */
function stepBelow(parent: XNode): string {
  const own = lineIndent(parent);
  const up = parent.parentNode && isElement(parent.parentNode) ? lineIndent(parent.parentNode) : null;
  if (own !== null && up !== null && own.length > up.length && own.startsWith(up)) return own.slice(up.length);
  return ' ';
}

function text(parent: XElement, data: string): XNode {
  return parent.ownerDocument.createTextNode(data);
}

/** Indents a new, detached subtree whose first line is at `indent` (elements with text stay as they are). */
function indentSubtree(el: XElement, indent: string, step: string, nl: string): void {
  const kids = Array.from(el.childNodes);
  if (!kids.some(isElement) || kids.some((k) => !isElement(k))) return;
  for (const k of kids as XElement[]) {
    el.insertBefore(text(el, `${nl}${indent}${step}`), k);
    indentSubtree(k, indent + step, step, nl);
  }
  el.appendChild(text(el, `${nl}${indent}`));
}

/** Appends a new element (built detached) as the last child of `parent`, laid out like its siblings. */
export function place(parent: XElement, child: XElement): void {
  const kids = Array.from(parent.childNodes);
  const last = kids[kids.length - 1] ?? null;
  const trailing = isBlank(last) ? last : null;
  const firstElement = kids.find(isElement) ?? null;
  const parentIndent = lineIndent(parent);
  const indent = firstElement
    ? lineIndent(firstElement)
    : parentIndent === null
      ? null
      : parentIndent + stepBelow(parent);
  if (indent === null) {
    parent.insertBefore(child, trailing);
    return;
  }
  const step =
    parentIndent !== null && indent.length > parentIndent.length && indent.startsWith(parentIndent)
      ? indent.slice(parentIndent.length)
      : ' ';
  const nl = lineEndNear(firstElement?.previousSibling ?? parent.previousSibling);
  indentSubtree(child, indent, step, nl);
  parent.insertBefore(text(parent, `${nl}${indent}`), trailing);
  parent.insertBefore(child, trailing);
  if (!trailing && parentIndent !== null) parent.appendChild(text(parent, `${nl}${parentIndent}`));
}

/** Removes a node and the line break that introduced it. */
export function removeNode(n: XNode): void {
  const before = n.previousSibling;
  const parent = n.parentNode;
  if (!parent) return;
  if (before && indentIn(before) !== null) parent.removeChild(before);
  parent.removeChild(n);
}
