/**
 * XMP namespaces Sitter reads and writes, with their conventional prefixes (ExifTool's XMP.pm table,
 * ../shared/docs/dam-apis.md section 4).
 */
export const NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  Iptc4xmpExt: 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/',
  plus: 'http://ns.useplus.org/ldf/xmp/1.0/',
  mwgRs: 'http://www.metadataworkinggroup.com/schemas/regions/',
  stArea: 'http://ns.adobe.com/xmp/sType/Area#',
  stDim: 'http://ns.adobe.com/xap/1.0/sType/Dimensions#',
  /** the people tags of the photo tools (connector option `peopleTags`): digiKam, Lightroom, keywords */
  digiKam: 'http://www.digikam.org/ns/1.0/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  dc: 'http://purl.org/dc/elements/1.1/',
  /**
   * Sitter's own fields (the ledger of what it added, the clearance, a person's scopes). A URN, so no web domain is claimed;
   * ExifTool shows its tags as group XMP-sitter and `-validate` accepts it.
   */
  sitter: 'urn:sitter:xmp:1.0/',
} as const;

/** Preferred prefix of each namespace Sitter may declare. */
export const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  [NS.Iptc4xmpExt]: 'Iptc4xmpExt',
  [NS.plus]: 'plus',
  [NS.mwgRs]: 'mwg-rs',
  [NS.stArea]: 'stArea',
  [NS.stDim]: 'stDim',
  [NS.digiKam]: 'digiKam',
  [NS.lr]: 'lr',
  [NS.dc]: 'dc',
  [NS.sitter]: 'sitter',
};

/** PLUS controlled vocabulary root for model release status and age disclosure values. */
export const PLUS_VOCAB = 'http://ns.useplus.org/ldf/vocab/';

/** IPTC image region content type for a person (⚠ code assumed from the NewsCodes scheme). */
export const REGION_TYPE_HUMAN = 'http://cv.iptc.org/newscodes/imageregiontype/human';
