/**
 * A strict well-formedness pass over a sidecar before anything merges into it. xmlbuilder2's parser
 * is forgiving: it closes unclosed tags and accepts mismatched ones, so a sidecar cut short by a crash
 * or a partial copy would be "repaired" and the user's data made permanent in a wrong form. This pass
 * finds what XML 1.0 forbids at the level of characters, tags, attributes and references, plus what
 * Namespaces in XML forbids (a prefix used without its `xmlns:` binding), and says where: exiftool and
 * every strict reader refuse such a file, so merging into it would hand the user a sidecar nobody
 * else can read.
 */

/** The first well-formedness problem of `xml` with its line, or null when it is well-formed. */
export function wellFormednessProblem(xml: string): string | null {
  const stack: string[] = [];
  // The prefixes bound by each open element (the namespace scopes), innermost last.
  const scopes: ReadonlySet<string>[] = [];
  let roots = 0;
  let i = 0;
  const lineAt = (at: number): number => xml.slice(0, at).split('\n').length;
  const fail = (at: number, what: string): string => `line ${lineAt(at)}: ${what}`;
  const illegal = ILLEGAL_CHAR.exec(xml);
  if (illegal) return fail(illegal.index, `the character U+${codePointHex(illegal[0])} is not allowed in XML 1.0`);

  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    const text = xml.slice(i, textEnd);
    const bad = textProblem(text, stack.length === 0);
    if (bad) return fail(i, bad);
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return fail(i, 'a comment is not closed');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) return fail(i, 'CDATA outside the root element');
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) return fail(i, 'a CDATA section is not closed');
      i = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return fail(i, 'a processing instruction is not closed');
      i = end + 2;
    } else if (xml.startsWith('<!', i)) {
      // A DOCTYPE: parseXmp refuses it with its own message; only its end (after any internal subset) matters here.
      const gt = xml.indexOf('>', i + 2);
      const bracket = xml.indexOf('[', i + 2);
      const end = bracket >= 0 && (gt < 0 || bracket < gt) ? xml.indexOf(']>', bracket) + 1 : gt;
      if (end <= 0) return fail(i, 'a declaration is not closed');
      i = end + 1;
    } else if (xml.startsWith('</', i)) {
      const m = /^<\/([^\s>/]+)\s*>/.exec(xml.slice(i, i + 1024));
      if (!m?.[1]) return fail(i, 'an end tag is cut short or malformed');
      const open = stack.pop();
      if (open === undefined) return fail(i, `end tag </${m[1]}> without a start tag`);
      if (open !== m[1]) return fail(i, `<${open}> is closed by </${m[1]}>`);
      scopes.pop();
      i += m[0].length;
    } else {
      const tag = startTag(xml, i);
      if (typeof tag === 'string') return fail(i, tag);
      if (stack.length === 0 && ++roots > 1) return fail(i, 'more than one root element');
      const scope = namespaceScope(tag, scopes[scopes.length - 1] ?? XML_PREFIXES);
      if (typeof scope === 'string') return fail(i, scope);
      if (!tag.selfClosing) {
        stack.push(tag.name);
        scopes.push(scope);
      }
      i = tag.end;
    }
  }
  if (stack.length > 0) return fail(xml.length, `<${stack[stack.length - 1]}> is not closed (the file ends too early)`);
  if (roots === 0) return fail(xml.length, 'no root element');
  return null;
}

/** Anything outside XML 1.0's Char production (NUL and other controls, lone surrogates, U+FFFE/FFFF). */
const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function codePointHex(ch: string): string {
  return (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

function isLegalCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** `xml` is bound by definition; `xmlns` is never an element or attribute prefix of its own. */
const XML_PREFIXES: ReadonlySet<string> = new Set(['xml']);

function prefixOf(name: string): string | null {
  const colon = name.indexOf(':');
  return colon < 0 ? null : name.slice(0, colon);
}

/** The prefixes in scope inside `tag`, or why its names use a prefix that is not bound. */
function namespaceScope(tag: StartTag, outer: ReadonlySet<string>): ReadonlySet<string> | string {
  const bound = new Set(outer);
  for (const a of tag.attributes) {
    if (prefixOf(a.name) !== 'xmlns') continue;
    const prefix = a.name.slice('xmlns:'.length);
    if (prefix === '' || prefix.includes(':')) return `<${tag.name}> declares the malformed prefix ${a.name}`;
    if (a.value.trim() === '') return `<${tag.name}> binds the prefix ${prefix} to an empty namespace name`;
    bound.add(prefix);
  }
  for (const name of [tag.name, ...tag.attributes.map((a) => a.name)]) {
    const prefix = prefixOf(name);
    if (prefix === null || (prefix === 'xmlns' && name !== tag.name)) continue;
    if (prefix === 'xmlns' || !bound.has(prefix))
      return `the prefix "${prefix}" of ${name} is not bound to a namespace (no xmlns:${prefix})`;
  }
  return bound;
}

const NAME = /^[A-Za-z_:\u00C0-\uFFEF][\w.:\-\u00B7\u00C0-\uFFEF]*/;
const REFERENCE = /&(?:(?:lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;

function referenceProblem(s: string): string | null {
  for (let at = s.indexOf('&'); at >= 0; at = s.indexOf('&', at + 1)) {
    REFERENCE.lastIndex = at;
    const m = REFERENCE.exec(s);
    if (!m) return `"${s.slice(at, at + 12)}" is not a character or predefined entity reference`;
    // `&#0;` is as illegal as a NUL byte: a reference may only name a character XML allows.
    const cp = m[1] !== undefined ? Number.parseInt(m[1], 10) : m[2] !== undefined ? Number.parseInt(m[2], 16) : null;
    if (cp !== null && !isLegalCodePoint(cp)) return `"${m[0]}" refers to a character not allowed in XML 1.0`;
  }
  return null;
}

function textProblem(text: string, outsideRoot: boolean): string | null {
  if (outsideRoot) return text.trim() === '' || text.trim() === '\uFEFF' ? null : 'text outside the root element';
  if (text.includes(']]>')) return '"]]>" in text';
  return referenceProblem(text);
}

interface StartTag {
  name: string;
  attributes: { name: string; value: string }[];
  selfClosing: boolean;
  end: number;
}

function startTag(xml: string, from: number): StartTag | string {
  const name = NAME.exec(xml.slice(from + 1, from + 1025))?.[0];
  if (!name) return 'a "<" that starts no tag';
  let i = from + 1 + name.length;
  const seen = new Set<string>();
  const attributes: { name: string; value: string }[] = [];
  for (;;) {
    const ws = /^\s*/.exec(xml.slice(i, i + 1024))?.[0].length ?? 0;
    i += ws;
    if (i >= xml.length) return `the start tag <${name}> is cut short`;
    if (xml.startsWith('/>', i)) return { name, attributes, selfClosing: true, end: i + 2 };
    if (xml[i] === '>') return { name, attributes, selfClosing: false, end: i + 1 };
    if (ws === 0) return `<${name}>: attributes must be separated by white space`;
    const attr = /^([^\s=/>]+)\s*=\s*(["'])/.exec(xml.slice(i, i + 1024));
    if (!attr?.[1] || !attr[2] || !NAME.test(attr[1])) return `<${name}> has a malformed attribute`;
    if (seen.has(attr[1])) return `<${name}> has the attribute ${attr[1]} twice`;
    seen.add(attr[1]);
    const valueStart = i + attr[0].length;
    const close = xml.indexOf(attr[2], valueStart);
    if (close < 0) return `<${name}>: the value of ${attr[1]} is not closed`;
    const value = xml.slice(valueStart, close);
    if (value.includes('<')) return `<${name}>: the value of ${attr[1]} contains "<"`;
    const ref = referenceProblem(value);
    if (ref) return `<${name}>: ${ref}`;
    attributes.push({ name: attr[1], value });
    i = close + 1;
  }
}
