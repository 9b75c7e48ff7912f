/**
 * A shoot's source in Asset Bank: a folder (access level) or an attribute value. Parsed once, and
 * turned into the search parameters that scope every listing and every fetch, so "would Sitter list
 * it?" (rule 1) is always the same question asked of the server.
 */
import { createHash } from 'node:crypto';
import { SitterError } from '../../core/domain/errors.js';
import type { Query } from '../http/types.js';

export type AssetBankSource =
  { kind: 'folder'; folderIds: number[] } | { kind: 'attribute'; attributeId: number; value: string };

const FOLDER = /^folder:(\d{1,10}(?:,\d{1,10})*)$/;
const ATTRIBUTE = /^attribute:(\d{1,10})=(.+)$/s;

function sourceInvalid(source: string): SitterError {
  return new SitterError(
    'SOURCE_INVALID',
    `"${source.slice(0, 80)}" is not an Asset Bank source.`,
    'Use folder:ID (or folder:ID,ID) for a folder, or attribute:ID=VALUE for an attribute value, e.g. attribute:704=SHOOT-42.',
    { connector: 'asset-bank' },
  );
}

export function parseSource(source: string): AssetBankSource {
  const folder = FOLDER.exec(source);
  if (folder) {
    const ids = folder[1]!.split(',').map(Number);
    if (ids.every((id) => id > 0) && new Set(ids).size === ids.length) return { kind: 'folder', folderIds: ids };
  }
  const attr = ATTRIBUTE.exec(source);
  if (attr && Number(attr[1]) > 0 && attr[2]!.trim() === attr[2] && !/[\n\r\t]/.test(attr[2]!))
    return { kind: 'attribute', attributeId: Number(attr[1]), value: attr[2]! };
  throw sourceInvalid(source);
}

/** The search parameters that scope a listing to the source. */
export function scopeQuery(src: AssetBankSource, folderIdsStyle: 'repeat' | 'comma'): Query {
  if (src.kind === 'attribute') return { [`attribute_${src.attributeId}`]: src.value };
  return {
    'permissionCategoryForm.categoryIds': folderIdsStyle === 'comma' ? src.folderIds.join(',') : src.folderIds,
    includeImplicitCategoryMembers: true,
  };
}

/** A short fingerprint of the source, put in listing cursors so one source's cursor is refused by another. */
export function sourceTag(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex').slice(0, 8);
}
