/**
 * `GET /rest/asset-search` as doc/asset-search.md has it: a bare array of LightweightAssetRepr, at most
 * 100 a page, filters on folders (repeated or comma, implicit members), attributes, `assetIds` (an id or
 * `a-b`) and approval; sorted by date modified, never by id, so a listing cannot lean on the order.
 */
import type { FakeRequest, FakeResponse } from '../../../src/testing/fake-http.js';
import type { Representations } from './reprs.js';
import type { Misbehaviour, ServerSettings } from './settings.js';
import type { FakeAssetBankState, FakeUser } from './state.js';

const PAGE_SIZE_CAP = 100;
const MAX_ID = 2147483647;

const text = (status: number, body: string): FakeResponse => ({ status, text: body });

export async function searchAssets(
  state: FakeAssetBankState,
  settings: ServerSettings,
  bad: Misbehaviour,
  lightweight: Representations['lightweight'],
  req: FakeRequest,
  user: FakeUser,
): Promise<FakeResponse> {
  if (req.rawQuery === '') return text(500, 'An unexpected error occurred: no search criteria');
  bad.searches++;
  for (const hook of bad.onSearch) await hook(bad.searches);
  const q = req.query;
  let found = [...state.assets.values()].filter((a) => state.canSee(user, a));

  const folderParams = q.getAll('permissionCategoryForm.categoryIds');
  if (folderParams.length > 0) {
    if (settings.folderIdsStyle === 'comma' && folderParams.length > 1)
      return text(400, 'permissionCategoryForm.categoryIds may be given once');
    if (settings.folderIdsStyle === 'repeat' && folderParams.some((p) => p.includes(',')))
      return text(400, `Invalid value for permissionCategoryForm.categoryIds: ${folderParams.join('&')}`);
    const ids = folderParams.flatMap((p) => p.split(',')).map(Number);
    if (ids.some((id) => !Number.isInteger(id)))
      return text(400, 'Invalid value for permissionCategoryForm.categoryIds');
    const scope = state.folderScope(ids, q.get('includeImplicitCategoryMembers') === 'true');
    found = found.filter((a) => a.accessLevelIds.some((id) => scope.has(id)));
  }
  for (const [key, value] of q) {
    const m = /^attribute_(\d+)$/.exec(key);
    if (!m) continue;
    const id = Number(m[1]);
    if (!state.attributes.has(id)) return text(400, `Unknown attribute ${id}`);
    found = found.filter((a) => (value === 'isempty' ? state.valueOf(a, id) === '' : state.valueOf(a, id) === value));
  }
  const assetIds = q.get('assetIds');
  if (assetIds !== null && !bad.ignoreAssetIdsFilter) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(assetIds);
    if (!m) return text(400, `Invalid value for assetIds: ${assetIds}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Math.min(Number(m[2]), MAX_ID);
    found = found.filter((a) => a.id >= lo && a.id <= hi);
  }
  const approval = q.get('approvalStatuses');
  if (approval === 'full') found = found.filter((a) => a.approved);
  else if (approval === 'none') found = found.filter((a) => !a.approved);
  else if (approval !== null) return text(400, `Invalid value for approvalStatuses: ${approval}`);

  // Sorted by date modified, most recent first: never by id (design §2.3 must not rely on an order).
  found.sort((a, b) => b.modified - a.modified || b.id - a.id);
  const pageSize = Math.min(Math.max(1, Number(q.get('pageSize') ?? PAGE_SIZE_CAP) || PAGE_SIZE_CAP), PAGE_SIZE_CAP);
  const page = Number(q.get('page') ?? settings.firstPage) - settings.firstPage;
  if (!Number.isInteger(page) || page < 0) return text(400, `Invalid value for page: ${q.get('page')}`);
  return { json: found.slice(page * pageSize, (page + 1) * pageSize).map(lightweight) };
}
