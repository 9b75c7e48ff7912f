/**
 * Line numbers for error messages: from a byte or character offset to a 1-based line, counting
 * "\n", "\r\n" and a lone "\r" as one line break each.
 */

export class LineIndex {
  private readonly starts: number[] = [0];

  /** `codeAt(i)` is the byte or UTF-16 code unit at offset i. */
  constructor(length: number, codeAt: (i: number) => number) {
    for (let i = 0; i < length; i++) {
      const c = codeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (i + 1 < length && codeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  static ofString(text: string): LineIndex {
    return new LineIndex(text.length, (i) => text.charCodeAt(i));
  }

  static ofBytes(bytes: Uint8Array): LineIndex {
    return new LineIndex(bytes.length, (i) => bytes[i] ?? 0);
  }

  /** The 1-based line that holds `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * The offset of the first bracket that opens deeper than `limit` levels (ignoring brackets inside
 * strings), or -1. An iterative scan: it runs before anything recursive sees the text.
 */
export function firstTooDeep(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** Where a JSON value starts, and where its array items or object members start. */
export interface JsonLocation {
  offset: number;
  items?: JsonLocation[];
  /** object members in order, duplicates included */
  members?: { key: string; keyOffset: number; value: JsonLocation }[];
}

/**
 * Locate the values of a text that JSON.parse has already accepted (so this scanner can be lenient:
 * it only has to find where things start, not to validate).
 */
export function locateJson(text: string): JsonLocation {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonLocation => {
    ws();
    const offset = i;
    const c = text[i];
    if (c === '[') {
      i++;
      const items: JsonLocation[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { offset, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i++] !== ',') break; // "]"
      }
      return { offset, items };
    }
    if (c === '{') {
      i++;
      const members: NonNullable<JsonLocation['members']> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { offset, members };
      }
      for (;;) {
        ws();
        const keyOffset = i;
        const key = str();
        ws();
        i++; // ":"
        members.push({ key, keyOffset, value: value() });
        ws();
        if (text[i++] !== ',') break; // "}"
      }
      return { offset, members };
    }
    if (c === '"') {
      str();
      return { offset };
    }
    while (i < text.length && /[-+0-9.eEa-z]/.test(text[i] ?? '')) i++;
    return { offset };
  };
  return value();
}
