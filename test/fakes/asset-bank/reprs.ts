/**
 * The representations the fake answers, with the field names of brightinteractive's reprs: AttributeRepr,
 * LightweightAssetRepr (search results) and AssetRepr (GET/PUT of one asset). Image URLs point at the
 * content host, signed.
 */
import type { ContentSigner, ServerSettings } from './settings.js';
import { ATTRIBUTE_TYPE, type FakeAsset, type FakeAssetBankState } from './state.js';

export type Representations = ReturnType<typeof representations>;

export function representations(
  state: FakeAssetBankState,
  settings: ServerSettings,
  signer: ContentSigner,
  restUrl: () => string,
) {
  const attributeRepr = (id: number) => {
    const a = state.attributes.get(id)!;
    return {
      id: a.id,
      label: a.label,
      staticName: a.staticName ?? null,
      typeId: a.typeId,
      url: `${restUrl()}/attributes/${a.id}`,
      listValuesUrl:
        a.typeId === ATTRIBUTE_TYPE.dropdown || a.typeId === ATTRIBUTE_TYPE.checklist
          ? `${restUrl()}/attributes/${a.id}/list-attribute-values`
          : null,
      keywordsUrl: null,
    };
  };

  const imageUrls = (a: FakeAsset) => ({
    thumbnailUrl: signer.sign(`${a.id}/transform/260x260.jpg`, settings.contentUrlTtlSeconds),
    previewUrl: signer.sign(`${a.id}/transform/480x480.jpg`, settings.contentUrlTtlSeconds),
    unwatermarkedLargeImageUrl: signer.sign(`${a.id}/transform/1300x1300.jpg`, settings.contentUrlTtlSeconds),
  });

  /** LightweightAssetRepr (search results). */
  const lightweight = (a: FakeAsset) => ({
    id: a.id,
    originalFilename: a.originalFilename,
    fullAssetUrl: `${restUrl()}/assets/${a.id}`,
    ...imageUrls(a),
    dateLastModifiedTimestamp: a.modified,
    approved: a.approved,
    typeId: a.typeId,
    typeName: a.typeName,
    accessLevelIds: a.accessLevelIds.join(','),
    displayAttributes: settings.searchDisplayAttributeIds
      .filter((id) => state.attributes.has(id))
      .map((id) => ({ label: state.attributes.get(id)!.label, value: state.valueOf(a, id) })),
    attributes: [],
  });

  /** AssetRepr (GET/PUT /rest/assets/{id}). */
  const full = (a: FakeAsset) => ({
    id: a.id,
    url: `${restUrl()}/assets/${a.id}`,
    originalFilename: a.originalFilename,
    attributes: [...state.attributes.values()].map((attr) => ({
      id: attr.id,
      name: attr.staticName ?? `attribute${attr.id}`,
      label: attr.label,
      value: state.valueOf(a, attr.id),
    })),
    parents: a.accessLevelIds.map((id) => `${restUrl()}/access-levels/${id}`),
    submitted: true,
    approved: a.approved,
    type: a.typeName,
    accessLevelIds: a.accessLevelIds.join(','),
    contentUrl: `${restUrl()}/assets/${a.id}/content`,
    contentUrlUrl: `${restUrl()}/assets/${a.id}/content/url`,
    displayUrl: signer.sign(`${a.id}/transform/1000x1000.jpg`, settings.contentUrlTtlSeconds),
    conversionUrl: `${restUrl()}/assets/${a.id}/conversion`,
    ...imageUrls(a),
  });

  return { attributeRepr, lightweight, full };
}
