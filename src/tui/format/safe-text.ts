/**
 * Text a user, a file system or a consent file supplied (file names, participant names, error
 * messages quoting them) made safe to print on a terminal. Escape and control sequences (clear the
 * screen, set the title, OSC 8 links), bidirectional overrides that reorder what is shown (U+202E),
 * and line breaks that would split a table row are shown as visible escapes such as `\x1B` or
 * `\u202E`, so the archivist sees that the name holds them and can still find the file.
 * JSON output does not go through here: JSON.stringify escapes what it must and keeps the exact string.
 */

// C0 controls, DEL, C1 controls; bidi embeddings, overrides, isolates and marks; line and
// paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_EXCEPT_NEWLINE =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export interface SafeTextOptions {
  /** keep line feeds (a message of several lines that Sitter wrote); everything else is escaped */
  multiline?: boolean;
}

/** The text with every terminal control and bidi override shown as a visible escape. */
export function safeText(text: string, opts: SafeTextOptions = {}): string {
  return text.replace(opts.multiline ? UNSAFE_EXCEPT_NEWLINE : UNSAFE, visible);
}
