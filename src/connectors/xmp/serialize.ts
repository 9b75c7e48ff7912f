/**
 * Prints a parsed XMP packet back as XML without re-formatting anything Sitter does not own.
 *
 * xmlbuilder2's own serializer either pretty-prints (re-indenting mixed content: a keyword written
 * `&amp;-<![CDATA[&amp;]]>-&amp;` came back as "\n      &-\n      &amp;\n ...") or, unindented, writes
 * tabs, line feeds and carriage returns raw where XML parsers normalise them away (an attribute's
 * `&#10;` became a space, a text `&#13;` a line feed). This printer writes every node as it was parsed:
 * whitespace, CDATA sections, comments and processing instructions stay, and those characters are
 * escaped as character references so every value reads back identically. The bytes before and after
 * the root element (XML declaration, `<?xpacket?>` wrapper, padding) are copied from the original.
 */
import type { XNode } from './dom.js';

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const PI = 7;
const COMMENT = 8;

interface Printable extends XNode {
  readonly tagName?: string;
  readonly attributes?: ArrayLike<{ readonly name: string; readonly value: string }>;
  readonly data?: string;
  readonly target?: string;
}

const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text XML 1.0 can carry: a character it cannot (a control character, U+FFFE/U+FFFF, half of a
 * surrogate pair) becomes U+FFFD, visibly, instead of making a sidecar no reader can parse.
 */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

/**
 * A CR before a LF is a Windows line end, as parsed from the file (xmlbuilder2 does not normalise it,
 * nor does ExifTool's reader), so it is written back raw; a lone CR can only come from `&#13;`.
 */
function escapeText(s: string): string {
  return s.replace(/[&<>]|\r(?!\n)/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

// `>` is legal in an attribute, but ExifTool's XMP reader ends the tag there and drops the property.
const ATTR_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}

function print(node: Printable, out: string[]): void {
  switch (node.nodeType) {
    case ELEMENT: {
      const name = node.tagName ?? '';
      out.push('<', name);
      for (const a of Array.from(node.attributes ?? [])) out.push(' ', a.name, '="', escapeAttr(a.value), '"');
      const kids = Array.from(node.childNodes) as Printable[];
      if (kids.length === 0) {
        out.push('/>');
        return;
      }
      out.push('>');
      for (const k of kids) print(k, out);
      out.push('</', name, '>');
      return;
    }
    case TEXT:
      out.push(escapeText(node.data ?? ''));
      return;
    case CDATA:
      out.push('<![CDATA[', node.data ?? '', ']]>');
      return;
    case COMMENT:
      out.push('<!--', node.data ?? '', '-->');
      return;
    case PI:
      out.push('<?', node.target ?? '', node.data ? ` ${node.data}` : '', '?>');
      return;
    default:
      return;
  }
}

/** One node and everything inside it, as XML text. */
function printElement(el: XNode): string {
  const out: string[] = [];
  print(el as Printable, out);
  return out.join('');
}

/** Index just past `close`, searched from `from`, or -1. */
function past(xml: string, close: string, from: number): number {
  const i = xml.indexOf(close, from);
  return i < 0 ? -1 : i + close.length;
}

/** Where the root element starts and ends in the original text (prolog and epilog hold no element). */
function rootSpan(xml: string): { start: number; end: number } | null {
  let start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (start < xml.length && /\s/.test(xml.charAt(start))) start++;
    if (xml.startsWith('<?', start)) start = past(xml, '?>', start);
    else if (xml.startsWith('<!--', start)) start = past(xml, '-->', start);
    else break;
    if (start < 0) return null;
  }
  let end = xml.length;
  for (;;) {
    while (end > start && /\s/.test(xml.charAt(end - 1))) end--;
    if (xml.endsWith('?>', end)) end = xml.lastIndexOf('<?', end - 2);
    else if (xml.endsWith('-->', end)) end = xml.lastIndexOf('<!--', end - 3);
    else break;
    if (end <= start) return null;
  }
  return xml.charAt(start) === '<' && xml.charAt(end - 1) === '>' ? { start, end } : null;
}

/**
 * The packet as text: the original prolog and epilog around the re-printed root element; when those
 * cannot be told apart, the document's top-level nodes one per line.
 */
export function printPacket(doc: XNode, original: string): string {
  const nodes = Array.from(doc.childNodes);
  const root = nodes.find((n) => n.nodeType === ELEMENT);
  const span = rootSpan(original);
  if (root && span) return original.slice(0, span.start) + printElement(root) + original.slice(span.end);
  return `${nodes.map(printElement).join('\n')}\n`;
}
