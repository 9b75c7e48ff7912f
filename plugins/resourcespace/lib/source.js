// A shoot's source is one ResourceSpace collection, `collection:<ref>`; a listing cursor names the
// collection, the offset reached and the last resource ref emitted, so a page can find its place again
// when resources are added to or removed from the collection between pages.

/**
 * @param {string} source
 * @param {(code: string, message: string, hint: string) => Error} refuse
 * @returns {number} the collection ref
 */
export function collectionOf(source, refuse) {
  const m = /^collection:([1-9]\d{0,9})$/.exec(String(source));
  if (!m)
    throw refuse(
      'SOURCE_INVALID',
      `"${String(source).slice(0, 80)}" is not a ResourceSpace source.`,
      "Give the shoot a collection as its source: collection:<ref>, the number in the collection's address.",
    );
  return Number(m[1]);
}

/** @param {number} collection @param {number} offset @param {number} lastRef */
export function makeCursor(collection, offset, lastRef) {
  return `rs1.${collection}.${offset}.${lastRef}`;
}

/**
 * @param {string} cursor @param {number} collection
 * @param {(code: string, message: string, hint: string) => Error} refuse
 * @returns {{ offset: number, lastRef: number }}
 */
export function readCursor(cursor, collection, refuse) {
  const m = /^rs1\.(\d+)\.(\d+)\.(\d+)$/.exec(cursor);
  if (!m || Number(m[1]) !== collection)
    throw refuse(
      'INVALID_CURSOR',
      'This listing cursor was not made by this connector for this collection.',
      'Start the listing again without a cursor.',
    );
  return { offset: Number(m[2]), lastRef: Number(m[3]) };
}

/**
 * A resource id as the connector lists it (the ref, in decimal), or null for anything else.
 * @param {string} id
 */
export function refOf(id) {
  return /^[1-9]\d{0,9}$/.test(String(id)) ? Number(id) : null;
}
