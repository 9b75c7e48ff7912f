// ResourceSpace signs the raw query string: sign = sha256_hex(privateKey + query), where query is the
// exact bytes after `?` without `&sign=` (api/index.php, check_api_key). So the query is built and
// percent-encoded here, once, signed as it is, and sent as it is: never re-serialised by a client.
import { createHash } from 'node:crypto';

/**
 * The query of one API call: `user`, `function`, then `param1..N` in order (api/example.php's form).
 * @param {string} user
 * @param {string} fn
 * @param {readonly (string | number | boolean)[]} params
 * @returns {string}
 */
export function buildQuery(user, fn, params) {
  const parts = [`user=${encodeURIComponent(user)}`, `function=${encodeURIComponent(fn)}`];
  params.forEach((p, i) => parts.push(`param${i + 1}=${encodeURIComponent(String(p))}`));
  return parts.join('&');
}

/**
 * @param {string} privateKey
 * @param {string} query the exact query string that will be sent
 * @returns {string} the hex sha256 ResourceSpace expects in `sign`
 */
export function sign(privateKey, query) {
  return createHash('sha256')
    .update(privateKey + query)
    .digest('hex');
}

/**
 * The full query to send: the signed query with `&sign=` appended.
 * @param {string} privateKey
 * @param {string} user
 * @param {string} fn
 * @param {readonly (string | number | boolean)[]} params
 */
export function signedQuery(privateKey, user, fn, params) {
  const query = buildQuery(user, fn, params);
  return `${query}&sign=${sign(privateKey, query)}`;
}
