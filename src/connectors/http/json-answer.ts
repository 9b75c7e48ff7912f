/**
 * Reading a 2xx answer of a JSON API call: JSON by its content type (an HTML login page or a proxy's
 * error page is refused with a hint, not parsed), then checked against the caller's zod schema. A
 * mismatch names the paths that failed and the types expected, never the values received: they can
 * be personal data (a participant's name in an attribute).
 */
import type { ZodType } from 'zod';
import type { SitterError } from '../../core/domain/errors.js';
import { failure, type RequestContext } from './failures.js';

const MAX_ISSUES = 5;

/** `application/json`, `application/hal+json`, `application/problem+json`… */
function isJsonType(contentType: string): boolean {
  return /^application\/([a-z0-9.+-]*\+)?json\b/.test(contentType) || contentType.startsWith('text/json');
}

function notJson(ctx: RequestContext, what: string): SitterError {
  return failure('bad-response', ctx, `answered with ${what}, not JSON`);
}

/** The parsed body of a 2xx answer; an empty body is `undefined` (a 204, a PUT answering nothing). */
export function parseJsonBody(ctx: RequestContext, contentType: string | null, body: string): unknown {
  if (body.trim() === '') return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('html')) return thrown(notJson(ctx, 'HTML'));
  // Servers that forget the header or send text/plain are read when the text is JSON; any other
  // declared type (XML, an image) is not what the API documents.
  if (type && !isJsonType(type) && !type.startsWith('text/plain'))
    return thrown(notJson(ctx, `"${type.split(';')[0]}"`));
  try {
    // A byte-order mark is not JSON, but some servers on Windows stacks send one.
    return JSON.parse(body.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return thrown(notJson(ctx, 'text that does not parse'));
  }
}

/** An error answer a caller asked to read (`acceptStatuses`): JSON when it parses, else its text. */
export function lenientBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** `data` checked against `schema`, or CONNECTOR_BAD_RESPONSE naming the failing paths (never values). */
export function validated<T>(ctx: RequestContext, schema: ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : '(the whole answer)';
    const expected = 'expected' in issue && typeof issue.expected === 'string' ? `, expected ${issue.expected}` : '';
    return `${where} (${issue.code}${expected})`;
  });
  const more = result.error.issues.length > MAX_ISSUES ? ` and ${result.error.issues.length - MAX_ISSUES} more` : '';
  return thrown(failure('bad-response', ctx, `answered with unexpected data at ${issues.join('; ')}${more}`));
}

function thrown(e: SitterError): never {
  throw e;
}
