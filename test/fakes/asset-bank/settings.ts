/** The fake Asset Bank's settings (⚠ readings of dam-apis.md), switchable misbehaviour and routes. */
export type FakeRoute =
  | 'token'
  | 'authorize'
  | 'root'
  | 'user'
  | 'attributes'
  | 'search'
  | 'asset'
  | 'put'
  | 'content'
  | 'transform'
  | 'other';

export interface ServerSettings {
  /** the webapp path segment (`assetbank-fake`) */
  webapp: string;
  /** requests per rolling second before 429 (null: no limit) */
  limitPerSecond: number | null;
  /** ⚠ the `page` of the first page (docs silent; Uniform sends 0) */
  firstPage: number;
  /** ⚠ how several folders may be sent: repeated key (api-docs), comma list (Bright's Java client), or both */
  folderIdsStyle: 'repeat' | 'comma' | 'both';
  /** ⚠ where a password grant's client credentials may be: form body (RFC 6749), Basic header, or either */
  clientAuth: 'body' | 'basic' | 'either';
  /** ⚠ a PUT that leaves attributes out keeps them (true) or blanks them (false) */
  acceptChangedOnly: boolean;
  /** legacy IP-whitelist mode: no token needed, calls run as the first user or `userId=` */
  legacyAuth: boolean;
  /** how long a signed content URL lives */
  contentUrlTtlSeconds: number;
  /** attribute ids shown as `displayAttributes` in search results (Admin > "API Search results") */
  searchDisplayAttributeIds: number[];
  /** the user `/oauth/authorize` logs in at once (no browser in a test); null: the first user */
  authorizeAs: number | null;
}

/** Switchable misbehaviour (controls in index.ts). */
export interface Misbehaviour {
  html: Set<FakeRoute>;
  wrongTypes: Set<FakeRoute>;
  hugeBody: Map<FakeRoute, number>;
  redirectContentTo: string | null;
  ignoreAssetIdsFilter: boolean;
  onSearch: ((n: number) => void | Promise<void>)[];
  searches: number;
}

export interface ContentSigner {
  sign(key: string, ttlSeconds: number): string;
}
