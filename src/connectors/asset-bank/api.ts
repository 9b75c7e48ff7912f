/**
 * The Asset Bank REST calls Sitter makes, typed by reprs.ts, on the connector's HTTP client (budget,
 * retries, redirect and size rules: src/connectors/http). Paths are the documented fixed ones
 * (`{webapp}/rest/...`, what real clients use); `GET /rest/` is read at start to prove the address.
 */
import type { CallOptions, RequestPriority } from '../../core/ports/connector.js';
import type { HttpClient, Query } from '../http/types.js';
import type { AssetBankSettings } from './options.js';
import { AssetRepr, AttributeRepr, RootRepr, SearchRepr, UserRepr, type ListedRepr } from './reprs.js';
import { scopeQuery, type AssetBankSource } from './source-ref.js';
import { SERVER_PAGE, type IdRange } from './listing.js';

export type SearchWindow = { range: IdRange } | { page: number };

export class AssetBankApi {
  constructor(
    private readonly http: HttpClient,
    private readonly s: AssetBankSettings,
  ) {}

  private common(): Query {
    return this.s.actAsUserId === undefined ? {} : { userId: this.s.actAsUserId };
  }

  private call(o: CallOptions | undefined, fallback: RequestPriority) {
    return { signal: o?.signal, priority: o?.priority ?? fallback };
  }

  root(o?: CallOptions) {
    return this.http.json({ path: 'rest/', schema: RootRepr, ...this.call(o, 'interactive') });
  }

  user(o?: CallOptions) {
    return this.http.json({
      path: 'rest/authenticated-user',
      query: this.common(),
      schema: UserRepr,
      ...this.call(o, 'interactive'),
    });
  }

  attribute(id: number, o?: CallOptions) {
    return this.http.json({
      path: `rest/attributes/${id}`,
      query: this.common(),
      schema: AttributeRepr,
      ...this.call(o, 'interactive'),
    });
  }

  /** One search of the source: an id window (`assetIds=a-b`, first page) or a plain page. */
  async search(src: AssetBankSource, w: SearchWindow, o?: CallOptions): Promise<ListedRepr[]> {
    const query: Query = {
      ...scopeQuery(src, this.s.folderIdsStyle),
      ...('range' in w
        ? { assetIds: w.range.from === w.range.to ? `${w.range.from}` : `${w.range.from}-${w.range.to}` }
        : {}),
      pageSize: SERVER_PAGE,
      page: 'page' in w ? w.page + this.s.firstPage : this.s.firstPage,
      ...this.common(),
    };
    const { data } = await this.http.json({
      path: 'rest/asset-search',
      query,
      schema: SearchRepr,
      ...this.call(o, 'bulk'),
    });
    return data;
  }

  getAsset(id: number, o?: CallOptions) {
    return this.http.json({
      path: `rest/assets/${id}`,
      query: this.common(),
      schema: AssetRepr,
      ...this.call(o, 'push'),
    });
  }

  putAsset(id: number, body: unknown, o?: CallOptions) {
    return this.http.json({
      path: `rest/assets/${id}`,
      method: 'PUT',
      body,
      query: this.common(),
      schema: AssetRepr,
      ...this.call(o, 'push'),
    });
  }

  /** The public address of an asset's API resource, for the audit log. */
  assetUrl(id: number): string {
    return `${this.s.webapp}/rest/assets/${id}`;
  }
}
