/**
 * Options of the Asset Bank connector (`Shoot.connectorOptions`), flat so `--option key=value` sets
 * each one. Every ⚠ of docs/asset-bank.md ("Unconfirmed") is a setting here with the documented
 * default, so a site whose Asset Bank behaves otherwise is fixed by configuration, not by a release.
 */
import { z } from 'zod';
import { SitterError } from '../../core/domain/errors.js';
import type { ConnectorOptionsSpec } from '../options.js';

const MiB = 1024 * 1024;

/** 127.0.0.0/8, ::1 and `localhost`: the only hosts plain http is allowed to (the fake, a tunnel). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

const attributeId = z.number().int().positive();
const positiveInt = z.number().int().positive();

export const AssetBankOptions = z
  .object({
    url: z
      .string()
      .describe('Asset Bank address with its webapp, e.g. https://x.assetbank.app/assetbank-x (…/rest is accepted)'),
    auth: z
      .enum(['password', 'authorization-code', 'none'])
      .default('password')
      .describe('password grant, authorization-code (run `sitter connectors login`), or none (IP-whitelisted legacy)'),
    clientId: z.string().min(1).optional().describe('OAuth2 client id (Admin > System > API)'),
    clientSecret: z.string().min(1).optional().describe('OAuth2 client secret'),
    username: z.string().min(1).optional().describe('Asset Bank user for the password grant'),
    password: z.string().min(1).optional().describe("that user's password"),
    refreshToken: z.string().min(1).optional().describe('refresh token stored by `sitter connectors login`'),
    clientAuth: z
      .enum(['body', 'basic'])
      .default('body')
      .describe('password grant: client credentials in the form body (RFC 6749) or HTTP Basic (unconfirmed)'),
    tokenPath: z.string().default('/oauth/token').describe('token endpoint, relative to the webapp'),
    actAsUserId: positiveInt.optional().describe('userId= on every call (legacy mode only)'),
    requestsPerSecond: z
      .number()
      .positive()
      .max(100)
      .default(2)
      .describe('2 on shared hosting, 15 on a dedicated server'),
    concurrency: positiveInt.max(32).default(2).describe('requests in flight at once'),
    timeoutMs: positiveInt.default(30_000).describe('timeout of every API request'),
    downloadTimeoutMs: positiveInt.default(120_000).describe('timeout of every download'),
    maxRetries: z.number().int().min(0).max(20).default(5).describe('retries of 408, 5xx and network errors'),
    maxRateLimitWaitMs: positiveInt.default(600_000).describe('longest total wait on 429s before giving up'),
    paging: z
      .enum(['id-window', 'page'])
      .default('id-window')
      .describe('id-window: correct under changes mid-listing; page: plain page/pageSize'),
    firstPage: z.number().int().min(0).max(1).default(0).describe('number of the first page (unconfirmed: 0)'),
    folderIdsStyle: z
      .enum(['repeat', 'comma'])
      .default('repeat')
      .describe('several folders: repeat the parameter (api-docs) or comma-separate (Bright Java client)'),
    includeUnapproved: z.boolean().default(false).describe('list assets awaiting approval'),
    imageTypeIds: z
      .string()
      .regex(/^\d+(,\d+)*$/)
      .default('2')
      .describe('asset type ids that are images, comma-separated (unconfirmed: 2)'),
    previewVia: z
      .enum(['transform', 'unwatermarkedLargeImageUrl'])
      .default('transform')
      .describe('how a smaller rendition is fetched'),
    previewMax: positiveInt.max(8000).default(2048).describe('largest rendition side asked of transform'),
    contentHosts: z
      .string()
      .default('*.amazonaws.com')
      .describe('host patterns downloads may be redirected to, comma-separated (besides the Asset Bank host)'),
    maxJsonBytes: positiveInt.default(8 * MiB).describe('largest JSON answer accepted (bytes)'),
    maxDownloadBytes: positiveInt.default(512 * MiB).describe('largest download accepted (bytes)'),
    maxAssets: positiveInt.default(100_000).describe('largest shoot listed; bounds the listing requests'),
    capturedAtLabel: z
      .string()
      .min(1)
      .optional()
      .describe('display attribute label holding the capture date (dd/MM/yyyy HH:mm:ss)'),
    capturedAtOffset: z
      .string()
      .regex(/^[+-]\d{2}:\d{2}$/)
      .optional()
      .describe('UTC offset of that capture date, e.g. +01:00 (none: taken from the shoot)'),
    participantsAttribute: attributeId.optional().describe('attribute id for the consented participants'),
    consentRefsAttribute: attributeId.describe("attribute id for the consent refs: Sitter's ledger (required)"),
    faceRegionsAttribute: attributeId.optional().describe('attribute id for the face regions (JSON)'),
    usageClearanceAttribute: attributeId.optional().describe('attribute id for the usage clearance'),
    clearanceValues: z
      .string()
      .regex(/^unlimited=[^,]+,limited=[^,]+,none=[^,]+$/)
      .default('unlimited=Cleared,limited=Restricted,none=Not cleared')
      .describe('values written to the usage clearance attribute'),
    editsNeedApproval: z
      .boolean()
      .default(false)
      .describe("the Asset Bank user's edits wait for approval (unconfirmed signal: stated here)"),
    putMode: z
      .enum(['full', 'changed-only'])
      .default('full')
      .describe('full: the whole asset back (documented); changed-only: just the mapped attributes'),
  })
  .strict();

export type AssetBankOptionsInput = z.input<typeof AssetBankOptions>;

/** The secret keys: given as `secret:NAME`, resolved only when the connector is made. */
export const ASSET_BANK_SECRETS = ['clientSecret', 'password', 'refreshToken'] as const;

/** Options after checks, with the webapp URL normalised and the comma lists split. */
export interface AssetBankSettings extends Omit<
  z.output<typeof AssetBankOptions>,
  'url' | 'imageTypeIds' | 'contentHosts' | 'clearanceValues'
> {
  /** the webapp URL without a trailing slash or `/rest` */
  webapp: string;
  /** `scheme://host[:port]`: the only place credentials are sent */
  origin: string;
  imageTypeIds: number[];
  contentHosts: string[];
  clearanceValues: { unlimited: string; limited: string; none: string };
}

function invalid(problem: string, hint: string): SitterError {
  return new SitterError(
    'CONNECTOR_OPTIONS_INVALID',
    `The options of connector "asset-bank" are not valid: ${problem}.`,
    hint,
    { connector: 'asset-bank' },
  );
}

/** The webapp URL: https (http only to a loopback host), no query, `/rest` stripped. */
export function webappUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid('url is not a URL', 'Give the Asset Bank address, e.g. url=https://x.assetbank.app/assetbank-x.');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname)))
    throw invalid(
      `url must use https (http is allowed only for a loopback host, not ${u.hostname})`,
      'Use the https address of your Asset Bank: credentials and consent data must not cross the network in clear.',
    );
  if (u.username || u.password || u.search || u.hash)
    throw invalid(
      'url must not carry credentials, a query or a fragment',
      'Give only the address; credentials go in secret options.',
    );
  u.pathname = u.pathname.replace(/\/+$/, '').replace(/\/rest$/, '') || '/';
  return u;
}

function authProblems(o: z.output<typeof AssetBankOptions>): string[] {
  const need = (keys: (keyof typeof o)[]) => keys.filter((k) => o[k] === undefined).map(String);
  if (o.auth === 'password') return need(['clientId', 'clientSecret', 'username', 'password']);
  if (o.auth === 'authorization-code') return need(['clientId', 'clientSecret']);
  return [];
}

/** Checks the options (secrets already resolved) and gives the settings the connector runs on. */
export function parseAssetBankOptions(raw: Record<string, unknown>): AssetBankSettings {
  const parsed = AssetBankOptions.safeParse(raw);
  if (!parsed.success)
    throw invalid(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; '),
      'See `sitter connectors` for the options of asset-bank, and docs/asset-bank.md.',
    );
  const o = parsed.data;
  const missing = authProblems(o);
  if (missing.length > 0)
    throw invalid(
      `auth=${o.auth} needs ${missing.join(', ')}`,
      'Set them with `sitter shoot configure SHOOT --option KEY=VALUE` (secrets as secret:NAME).',
    );
  const mapped = [o.participantsAttribute, o.consentRefsAttribute, o.faceRegionsAttribute, o.usageClearanceAttribute];
  const ids = mapped.filter((id): id is number => id !== undefined);
  if (new Set(ids).size !== ids.length)
    throw invalid(
      'two mapped attributes name the same attribute id',
      'Create one text attribute per mapping in Asset Bank (docs/asset-bank.md).',
    );
  const url = webappUrl(o.url);
  const [unlimited, limited, none] = o.clearanceValues.split(',').map((kv) => kv.slice(kv.indexOf('=') + 1)) as [
    string,
    string,
    string,
  ];
  return {
    ...o,
    webapp: url.href.replace(/\/$/, ''),
    origin: url.origin,
    imageTypeIds: o.imageTypeIds.split(',').map(Number),
    contentHosts: o.contentHosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    clearanceValues: { unlimited, limited, none },
  };
}

/** What the registry declares: the schema and the secret keys (no placement key: attributes are ids). */
export const ASSET_BANK_OPTIONS_SPEC: ConnectorOptionsSpec = {
  schema: AssetBankOptions,
  secrets: ASSET_BANK_SECRETS,
  check: storedOptionProblems,
};

/**
 * What parseAssetBankOptions would refuse at connect time, found when the options are stored: the
 * address (https unless loopback, no credentials in it) and the credentials the `auth` mode needs
 * (a `secret:NAME` reference counts as given).
 */
function storedOptionProblems(options: Record<string, unknown>): { key: string; problem: string }[] {
  const problems: { key: string; problem: string }[] = [];
  try {
    webappUrl(String(options.url));
  } catch (e) {
    problems.push({ key: 'url', problem: e instanceof Error ? e.message : String(e) });
  }
  const parsed = AssetBankOptions.safeParse(options);
  if (parsed.success)
    for (const key of authProblems(parsed.data))
      problems.push({ key, problem: `required with auth=${parsed.data.auth} (secrets as secret:NAME)` });
  return problems;
}
