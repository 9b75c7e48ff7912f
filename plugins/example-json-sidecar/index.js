// An example connector plugin, in plain JavaScript so it runs without a build. It shows the whole
// contract (docs/connectors.md): a flat folder of images, listed page by page with a cursor; fetch
// refuses what it would not list; push writes Sitter's statement under the "sitter" key of
// `<image>.json`, keeping every other key; clear removes that key only. Run the contract suite on it:
// test/contract/example-plugin.contract.test.ts.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const IMAGE_TYPES = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};
const KEY = 'sitter';

/** @param {Record<string, unknown>} options @param {{ SitterError: any, consentUriPrefix: string }} host */
export default function create(options, host) {
  const { SitterError } = host;
  const defaultPageSize = typeof options.pageSize === 'number' ? options.pageSize : 100;

  async function root(source) {
    const st = await fs.stat(source).catch(() => null);
    if (!st?.isDirectory())
      throw new SitterError(
        'SOURCE_NOT_FOUND',
        `${source} is not a folder.`,
        'Point the shoot at the folder that holds its images.',
      );
    return fs.realpath(source);
  }

  async function listIds(dir) {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter(
        (e) => e.isFile() && !e.name.startsWith('.') && Object.hasOwn(IMAGE_TYPES, path.extname(e.name).toLowerCase()),
      )
      .map((e) => e.name)
      .sort();
  }

  async function listed(source, id) {
    const dir = await root(source);
    if (typeof id !== 'string' || id.includes('/') || id.includes('\\') || !(await listIds(dir)).includes(id)) {
      throw new SitterError(
        'ASSET_OUT_OF_SCOPE',
        `"${id}" is not an image of ${source}.`,
        'Only images directly in the shoot folder belong to the shoot.',
      );
    }
    return path.join(dir, id);
  }

  async function facts(file, id) {
    const st = await fs.stat(file);
    return { id, fileName: id, size: st.size, modifiedAt: st.mtime };
  }

  async function readSidecar(file) {
    const text = await fs.readFile(`${file}.json`, 'utf8').catch(() => null);
    return text === null ? null : JSON.parse(text);
  }

  async function writeSidecar(file, data) {
    if (Object.keys(data).length === 0) return fs.rm(`${file}.json`, { force: true });
    const tmp = `${file}.json.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
    await fs.rename(tmp, `${file}.json`);
  }

  return {
    info: { name: 'json-sidecar', title: 'JSON sidecar example', version: '1.0.0' },
    capabilities: { listingHashes: false, regions: true, modelRelease: true, partialClear: true },

    async list(source, opts = {}) {
      const ids = await listIds(await root(source));
      let start = 0;
      if (opts.cursor) {
        const m = /^after:(.+)$/.exec(opts.cursor);
        if (!m)
          throw new SitterError(
            'CURSOR_INVALID',
            'This listing cursor was not made by this connector.',
            'Start the listing again without a cursor.',
          );
        start = ids.findIndex((id) => id > m[1]);
        if (start < 0) start = ids.length;
      }
      const size = opts.pageSize ?? defaultPageSize;
      const page = ids.slice(start, start + size);
      const dir = await root(source);
      const assets = await Promise.all(page.map((id) => facts(path.join(dir, id), id)));
      const last = page.at(-1);
      return { assets, skipped: [], nextCursor: start + size < ids.length && last ? `after:${last}` : null };
    },

    async fetch(source, assetId) {
      const file = await listed(source, assetId);
      const bytes = await fs.readFile(file);
      return {
        asset: await facts(file, assetId),
        bytes,
        contentHash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        mediaType: IMAGE_TYPES[path.extname(assetId).toLowerCase()],
      };
    },

    async push(source, payload) {
      const file = await listed(source, payload.assetId);
      // The persons and boxes belong to the content Sitter scanned: refuse a file that changed since.
      const actual = `sha256:${createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex')}`;
      if (actual !== payload.expectedContentHash) {
        throw new SitterError(
          'ASSET_CHANGED',
          `"${payload.assetId}" changed since it was scanned; nothing was written.`,
          'Scan the shoot again, review the photo, then push again.',
          { assetId: payload.assetId },
        );
      }
      const data = (await readSidecar(file)) ?? {};
      const persons = [...payload.persons]
        .sort((a, b) => a.consentUri.localeCompare(b.consentUri))
        .map((p) => ({
          id: p.participantId,
          name: p.displayName,
          consent: p.consentUri,
          ...(p.consentRecord ? { consentRecord: p.consentRecord } : {}),
          box: p.box,
          release: p.release,
        }));
      const statement = { persons, otherFaces: payload.otherFaces, image: payload.image };
      if (JSON.stringify(data[KEY]) === JSON.stringify(statement)) return { changed: false, location: `${file}.json` };
      await writeSidecar(file, { ...data, [KEY]: statement });
      return { changed: true, location: `${file}.json` };
    },

    async clear(source, request) {
      const file = await listed(source, request.assetId);
      const data = await readSidecar(file);
      if (!data || !(KEY in data)) return { changed: false, location: `${file}.json` };
      const { [KEY]: mine, ...others } = data;
      if (request.consentUris) {
        const kept = mine.persons.filter((p) => !request.consentUris.includes(p.consent));
        if (kept.length === mine.persons.length) return { changed: false, location: `${file}.json` };
        await writeSidecar(file, kept.length ? { ...others, [KEY]: { ...mine, persons: kept } } : others);
        return { changed: true, location: `${file}.json` };
      }
      await writeSidecar(file, others);
      return { changed: true, location: `${file}.json` };
    },
  };
}
