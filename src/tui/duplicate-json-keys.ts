/**
 * The keys that appear twice in one object of a JSON text. `JSON.parse` keeps the last silently, so
 * `{"token": "secret:a", "token": "secret:b"}` would store whichever came last without a word; a
 * file of options must say one thing. Call it on text `JSON.parse` has accepted.
 */
export function duplicateJsonKeys(text: string): string[] {
  const objects: Set<string>[] = [];
  const duplicates: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{') objects.push(new Set());
    else if (c === '}') objects.pop();
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (/\s/.test(text[next] ?? '')) next += 1;
      const keys = objects[objects.length - 1];
      if (text[next] === ':' && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) duplicates.push(key);
        keys.add(key);
      }
      i = end;
    }
    i += 1;
  }
  return duplicates;
}
