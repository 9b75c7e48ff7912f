/**
 * Every Asset Bank answer Sitter reads, as zod schemas: a wrong type is CONNECTOR_BAD_RESPONSE naming
 * the path (the HTTP toolkit reports it), never a crash deep in the connector or a value in a log.
 * Objects stay loose: Asset Bank adds fields between versions, and a full PUT sends back what it got.
 * Sources: brightinteractive/asset-bank-rest-api-reprs, api-docs (see docs/asset-bank.md).
 */
import { z } from 'zod';

/** `GET {webapp}/rest/`: the discovery document. */
export const RootRepr = z.looseObject({
  api_name: z.string().optional(),
  api_version_1_3: z
    .looseObject({
      assetSearchUrl: z.string().optional(),
      assetsUrl: z.string().optional(),
      attributesUrl: z.string().optional(),
    })
    .optional(),
});
export type RootRepr = z.infer<typeof RootRepr>;

/** `GET /rest/authenticated-user`. */
export const UserRepr = z.looseObject({
  id: z.number(),
  username: z.string(),
});

/** `GET /rest/attributes/{id}`. */
export const AttributeRepr = z.looseObject({
  id: z.number(),
  label: z.string().nullish(),
  typeId: z.number(),
});
export type AttributeRepr = z.infer<typeof AttributeRepr>;

/** One item of `GET /rest/asset-search` (LightweightAssetRepr). */
export const ListedRepr = z.looseObject({
  id: z.number().int().positive(),
  originalFilename: z.string().nullish(),
  dateLastModifiedTimestamp: z.number().int().nonnegative(),
  approved: z.boolean().optional(),
  typeId: z.number().int().optional(),
  displayAttributes: z.array(z.looseObject({ label: z.string().nullish(), value: z.unknown() })).nullish(),
  unwatermarkedLargeImageUrl: z.string().nullish(),
});
export type ListedRepr = z.infer<typeof ListedRepr>;

/** The search answers a bare array, at most 100 long. */
export const SearchRepr = z.array(ListedRepr).max(100);

/** One attribute of an asset. Values of other attributes are whatever Asset Bank keeps: not judged. */
export const AssetAttributeRepr = z.looseObject({
  id: z.number(),
  name: z.string().nullish(),
  label: z.string().nullish(),
  value: z.unknown(),
});
export type AssetAttributeRepr = z.infer<typeof AssetAttributeRepr>;

/** `GET`/`PUT /rest/assets/{id}` (AssetRepr). */
export const AssetRepr = z.looseObject({
  attributes: z.array(AssetAttributeRepr),
  url: z.string().nullish(),
});
export type AssetRepr = z.infer<typeof AssetRepr>;

/** Attribute types Sitter may write: text (1, 2, 14, 15) and dropdown (4, the usage clearance only). */
export const TEXT_TYPES = new Set([1, 2, 14, 15]);
export const DROPDOWN_TYPE = 4;
