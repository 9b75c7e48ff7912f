// The fields the archivist maps to Sitter (consent refs, participants, face regions, usage clearance):
// read them, tell whether they are Sitter's (the consent-refs ledger), and write them in an order that
// keeps them marked as Sitter's if a write is interrupted.
import { isSitterLedger, normaliseNewlines } from './values.js';

/**
 * @typedef {'consentRefs' | 'participants' | 'faceRegions' | 'usageClearance'} Role
 * @typedef {Partial<Record<Role, string>>} FieldValues
 */

/**
 * @param {{ api: { call(fn: string, params: (string | number | boolean)[], opts?: object): Promise<unknown> },
 *   fail: import('./api.js').Fail, refuse: (code: string, message: string, hint: string, details?: unknown) => Error,
 *   user: string, fields: Record<Role, string | undefined>, where: (ref: number) => string }} deps
 */
export function mappedFields({ api, fail, refuse, user, fields, where }) {
  /** @type {Role[]} */
  const roles = /** @type {Role[]} */ (Object.keys(fields)).filter((r) => fields[r]);
  /** @param {{ ref?: unknown, fref?: unknown, name?: unknown }} row @param {string} key id or shortname */
  const isField = (row, key) => (/^\d+$/.test(key) ? Number(row?.ref ?? row?.fref) === Number(key) : row?.name === key);

  /** The current value of each mapped field; a mapped field the resource does not have is refused. */
  async function read(/** @type {number} */ ref, /** @type {object} */ opts) {
    const rows = await api.call('get_resource_field_data', [ref], opts);
    if (!Array.isArray(rows))
      throw fail(
        'access-denied',
        `ResourceSpace does not let user "${user}" read the fields of resource ${ref}.`,
        "Check the user's access to the resource.",
      );
    /** @type {FieldValues} */
    const values = {};
    for (const role of roles) {
      const key = /** @type {string} */ (fields[role]);
      const row = rows.find((r) => isField(r, key));
      if (!row)
        throw refuse(
          'FIELD_NOT_FOUND',
          `Resource ${ref} has no field "${key}" (mapped as ${role}Field).`,
          'Map a field (id or shortname) that exists for this resource type, e.g. a global text field.',
        );
      values[role] = normaliseNewlines(String(row.value ?? ''));
    }
    return values;
  }

  /** True when the ledger marks the fields as Sitter's; refuses mapped fields holding someone else's text. */
  function assertSitters(/** @type {number} */ ref, /** @type {FieldValues} */ current) {
    if (isSitterLedger(current.consentRefs ?? '')) return true;
    const foreign = roles.filter((r) => (current[r] ?? '') !== '');
    if (foreign.length > 0)
      throw refuse(
        'FIELD_NOT_SITTERS',
        `Resource ${ref} has text in ${foreign.map((r) => fields[r]).join(', ')} that Sitter did not write.`,
        'Map fields that only Sitter writes to, or empty these ones in ResourceSpace first.',
        { fields: foreign.map((r) => fields[r]) },
      );
    return false;
  }

  /**
   * Makes the mapped fields hold `wanted`: the ledger is written first when it gains text and last when
   * it is emptied, so an interrupted write always leaves the ledger that marks the other fields Sitter's.
   * Reads back after writing; fields that did not take the value are reported.
   */
  async function write(
    /** @type {number} */ ref,
    /** @type {FieldValues} */ current,
    /** @type {Record<Role, string>} */ wanted,
    /** @type {{ priority?: string }} */ opts,
  ) {
    const changed = roles.filter((r) => (current[r] ?? '') !== wanted[r]);
    const location = where(ref);
    if (changed.length === 0) return { changed: false, location, outcome: /** @type {const} */ ('unchanged') };
    const ledgerFirst = wanted.consentRefs !== '';
    const rank = (/** @type {Role} */ r) => (r !== 'consentRefs' ? 0 : ledgerFirst ? -1 : 1);
    const writeOpts = { ...opts, priority: opts?.priority ?? 'push' };
    for (const role of [...changed].sort((a, b) => rank(a) - rank(b))) {
      const ok = await api.call('update_field', [ref, /** @type {string} */ (fields[role]), wanted[role]], writeOpts);
      if (ok !== true)
        throw fail(
          'refused',
          `ResourceSpace did not store field "${fields[role]}" of resource ${ref}${typeof ok === 'string' ? `: ${ok.slice(0, 200)}` : ''}.`,
          'Check that the user may edit the resource and that the field is not read-only.',
        );
    }
    const after = await read(ref, writeOpts);
    const ignored = changed.filter((r) => after[r] !== wanted[r]).map((r) => /** @type {string} */ (fields[r]));
    if (ignored.length === changed.length)
      return { changed: false, location, outcome: /** @type {const} */ ('ignored-by-server'), ignoredFields: ignored };
    return {
      changed: true,
      location,
      outcome: /** @type {const} */ ('written'),
      ...(ignored.length ? { ignoredFields: ignored } : {}),
    };
  }

  return { roles, fields, read, assertSitters, write, isField };
}
