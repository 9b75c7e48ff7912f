import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under a folder (the database, any -journal or -wal, keys, temp files), with its bytes. */
export function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

/** Where `needle` occurs in any file under `dir`, as a forensic search of the folder would find it. */
export function occurrences(dir: string, needle: Uint8Array): { path: string; offset: number; bytes: Buffer }[] {
  const hits: { path: string; offset: number; bytes: Buffer }[] = [];
  for (const f of filesUnder(dir)) {
    for (let at = f.bytes.indexOf(needle); at !== -1; at = f.bytes.indexOf(needle, at + 1))
      hits.push({ path: f.path, offset: at, bytes: f.bytes });
  }
  return hits;
}
