/**
 * What the fake Asset Bank holds: attributes, users, folders (access levels), assets, OAuth clients and
 * tokens, pending edit-with-approval edits, and the log of every write. The HTTP layer (server.ts) only
 * translates requests into calls on this state, so tests can also seed and inspect it directly.
 *
 * Shapes follow ../shared/docs/dam-apis.md §1 (brightinteractive/api-docs, asset-bank-rest-api-reprs).
 */
import { createHash, randomBytes } from 'node:crypto';

/** Attribute type ids (Uniform's constants.ts ⚠): 1 Text, 2 TextArea, 4 Dropdown, 5 Checklist, 8 Datetime, 16 Numeric. */
export const ATTRIBUTE_TYPE = { text: 1, textArea: 2, dropdown: 4, checklist: 5, datetime: 8, numeric: 16 } as const;

export interface FakeAttribute {
  id: number;
  label: string;
  staticName?: string;
  typeId: number;
  /** a PUT of this attribute is silently ignored (doc/asset.md) */
  readOnly?: boolean;
  /** values of a dropdown/checklist attribute */
  listValues?: string[];
}

export interface FakeUser {
  id: number;
  username: string;
  password: string;
  forename: string;
  surname: string;
  emailAddress: string;
  groupIds: number[];
  isAdmin: boolean;
  /** an edit-with-approval user: a PUT answers the old values and queues the edit */
  editsNeedApproval?: boolean;
  /** access levels the user may see; undefined = every one */
  accessLevelIds?: number[];
}

/** A folder: an access level ("permission category"), with an optional parent. */
export interface FakeFolder {
  id: number;
  name: string;
  parentId?: number;
}

export interface FakeAsset {
  id: number;
  originalFilename: string;
  bytes: Uint8Array;
  mediaType: string;
  /** 2 = image ⚠ (the connector's `imageTypeIds` default) */
  typeId: number;
  typeName: string;
  approved: boolean;
  accessLevelIds: number[];
  /** dateLastModifiedTimestamp, ms */
  modified: number;
  /** attribute id → value, for the attributes that are not computed */
  values: Map<number, string>;
}

export interface FakeClient {
  clientId: string;
  clientSecret: string;
}

/** One change to an asset, as the writes log keeps it. */
export interface FakeWrite {
  at: number;
  assetId: number;
  /** who made it: a username, `other-editor`, or `approver` */
  by: string;
  kind: 'put' | 'queued' | 'approved' | 'other-editor' | 'replace-file';
  /** attribute id → the value before and after */
  changes: Record<number, { from: string; to: string }>;
}

/** Read-only attributes every asset has (doc/asset.md: "last modified date" and "filesize" are read-only). */
export const DATE_LAST_MODIFIED_ATTRIBUTE = 1;
export const FILESIZE_ATTRIBUTE = 2;

export interface StateOptions {
  now: () => number;
  tokenTtlSeconds: number;
  rotateRefreshTokens: boolean;
}

/** `17/03/2011 16:05:02`, the date format of Asset Bank's representations (UTC here). */
export function assetBankDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export class FakeAssetBankState {
  readonly attributes = new Map<number, FakeAttribute>();
  readonly users = new Map<number, FakeUser>();
  readonly folders = new Map<number, FakeFolder>();
  readonly assets = new Map<number, FakeAsset>();
  readonly clients: FakeClient[] = [];
  /** access token → user id and expiry (ms) */
  readonly accessTokens = new Map<string, { userId: number; expiresAt: number }>();
  /** refresh token → user id and client */
  readonly refreshTokens = new Map<string, { userId: number; clientId: string }>();
  /** authorization code → user, client, redirect uri */
  readonly codes = new Map<string, { userId: number; clientId: string; redirectUri: string }>();
  /** asset id → the queued edit of an edit-with-approval user */
  readonly pending = new Map<number, { by: string; values: Map<number, string> }>();
  readonly writes: FakeWrite[] = [];
  private nextAssetId = 1;

  constructor(readonly options: StateOptions) {}

  now(): number {
    return this.options.now();
  }

  // ---- seeding -----------------------------------------------------------------------------------

  addAttribute(attribute: FakeAttribute): void {
    this.attributes.set(attribute.id, attribute);
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  addFolder(folder: FakeFolder): void {
    this.folders.set(folder.id, folder);
  }

  addClient(client: FakeClient): void {
    this.clients.push(client);
  }

  /** Adds an asset and answers its id (ids grow, as Asset Bank's do). */
  addAsset(input: {
    originalFilename: string;
    bytes: Uint8Array;
    mediaType?: string;
    accessLevelIds: number[];
    typeId?: number;
    approved?: boolean;
    values?: Record<number, string>;
    id?: number;
  }): number {
    const id = input.id ?? this.nextAssetId;
    this.nextAssetId = Math.max(this.nextAssetId, id + 1);
    this.assets.set(id, {
      id,
      originalFilename: input.originalFilename,
      bytes: input.bytes,
      mediaType: input.mediaType ?? 'image/jpeg',
      typeId: input.typeId ?? 2,
      typeName: (input.typeId ?? 2) === 2 ? 'Image' : 'File',
      approved: input.approved ?? true,
      accessLevelIds: input.accessLevelIds,
      modified: this.nextModified(0),
      values: new Map(Object.entries(input.values ?? {}).map(([k, v]) => [Number(k), v])),
    });
    return id;
  }

  removeAsset(id: number): void {
    this.assets.delete(id);
    this.pending.delete(id);
  }

  /** A modification time later than `previous` (timestamps only move forward, even within one ms). */
  private nextModified(previous: number): number {
    const now = this.now();
    const latest = Math.max(previous, ...[...this.assets.values()].map((a) => a.modified), 0);
    return Math.max(now, latest + 1, previous + 1);
  }

  touch(asset: FakeAsset): void {
    asset.modified = this.nextModified(asset.modified);
  }

  // ---- folders -----------------------------------------------------------------------------------

  /** The folder ids `ids` name, with every descendant when `implicit` (includeImplicitCategoryMembers). */
  folderScope(ids: number[], implicit: boolean): Set<number> {
    const scope = new Set(ids);
    if (!implicit) return scope;
    let grew = true;
    while (grew) {
      grew = false;
      for (const f of this.folders.values())
        if (f.parentId !== undefined && scope.has(f.parentId) && !scope.has(f.id)) {
          scope.add(f.id);
          grew = true;
        }
    }
    return scope;
  }

  canSee(user: FakeUser, asset: FakeAsset): boolean {
    if (!user.accessLevelIds) return true;
    return asset.accessLevelIds.some((id) => user.accessLevelIds!.includes(id));
  }

  // ---- attribute values --------------------------------------------------------------------------

  /** The value of an attribute on an asset, computed ones included. */
  valueOf(asset: FakeAsset, attributeId: number): string {
    if (attributeId === DATE_LAST_MODIFIED_ATTRIBUTE) return assetBankDate(asset.modified);
    if (attributeId === FILESIZE_ATTRIBUTE) return String(asset.bytes.byteLength);
    return asset.values.get(attributeId) ?? '';
  }

  /** Applies `values` to an asset as `by`, logging the change and moving its timestamp if anything changed. */
  apply(asset: FakeAsset, values: Map<number, string>, by: string, kind: FakeWrite['kind']): FakeWrite | null {
    const changes: FakeWrite['changes'] = {};
    for (const [id, to] of values) {
      const from = this.valueOf(asset, id);
      if (from === to) continue;
      changes[id] = { from, to };
      if (to === '') asset.values.delete(id);
      else asset.values.set(id, to);
    }
    if (Object.keys(changes).length === 0) return null;
    this.touch(asset);
    const write: FakeWrite = { at: this.now(), assetId: asset.id, by, kind, changes };
    this.writes.push(write);
    return write;
  }

  /** Replaces an asset's file (another user uploading a new version): new bytes, new timestamp. */
  replaceFile(asset: FakeAsset, bytes: Uint8Array): void {
    const before = createHash('sha256').update(asset.bytes).digest('hex').slice(0, 12);
    asset.bytes = bytes;
    this.touch(asset);
    const after = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    this.writes.push({
      at: this.now(),
      assetId: asset.id,
      by: 'other-editor',
      kind: 'replace-file',
      changes: { [FILESIZE_ATTRIBUTE]: { from: `sha256:${before}`, to: `sha256:${after}` } },
    });
  }

  // ---- OAuth -------------------------------------------------------------------------------------

  client(clientId: string, clientSecret: string): FakeClient | undefined {
    return this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
  }

  userByLogin(username: string, password: string): FakeUser | undefined {
    return [...this.users.values()].find((u) => u.username === username && u.password === password);
  }

  issueTokens(
    userId: number,
    clientId: string,
  ): { access_token: string; token_type: 'bearer'; expires_in: number; refresh_token: string; scope: string } {
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    this.accessTokens.set(access, { userId, expiresAt: this.now() + this.options.tokenTtlSeconds * 1000 });
    this.refreshTokens.set(refresh, { userId, clientId });
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: this.options.tokenTtlSeconds,
      refresh_token: refresh,
      scope: 'read write',
    };
  }

  issueCode(userId: number, clientId: string, redirectUri: string): string {
    const code = randomBytes(8).toString('hex');
    this.codes.set(code, { userId, clientId, redirectUri });
    return code;
  }

  /** The user a bearer token belongs to, or null when it is unknown or expired. */
  userOfToken(token: string): FakeUser | null {
    const t = this.accessTokens.get(token);
    if (!t || t.expiresAt <= this.now()) return null;
    return this.users.get(t.userId) ?? null;
  }

  expireTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }
}
