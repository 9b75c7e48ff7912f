/**
 * A connector's options: the schema it declares (zod), which keys are secrets, and the checks
 * `shoot create --option` and `shoot configure` run before anything is stored. Every bad key is
 * named with what is wrong, and the hint lists the options the connector accepts, so a typo is
 * caught at the desk rather than at the first scan.
 */
import { z } from 'zod';
import { SitterError } from '../core/domain/errors.js';
import { isValidSecretName, SECRET_NAME_RULE, SECRET_PREFIX, secretRefName } from './secrets.js';

/** What a registration declares about its options. */
export interface ConnectorOptionsSpec {
  schema: z.ZodObject;
  /** keys whose value is a secret: given as `secret:NAME`, resolved only when the connector is made */
  secrets: readonly string[];
  /**
   * keys that decide WHERE the connector writes (the local folder's `sidecarNaming`): `shoot configure`
   * refuses to change them while Sitter's push record names any place of the shoot, because the next
   * clear or withdrawal would look in the new place and leave the names in the old one.
   */
  placement?: readonly string[];
  /**
   * Checks across options that a per-key schema cannot express (Asset Bank: the credentials an `auth`
   * mode needs, https for a non-loopback host), run on the stored options with secrets still as
   * references, so `shoot create` and `shoot configure` refuse what the connector would refuse later.
   * Returns one problem per key; none when the options hold together.
   */
  check?: (options: Record<string, unknown>) => { key: string; problem: string }[];
}

/** A connector that declares no options accepts none. */
export const NO_OPTIONS: ConnectorOptionsSpec = { schema: z.object({}).strict(), secrets: [] };

/** One option as `sitter connectors` shows it. */
export interface OptionInfo {
  key: string;
  /** `string`, `integer`, `number`, `boolean`, or the accepted values joined by ` | ` */
  type: string;
  required: boolean;
  secret: boolean;
  default?: unknown;
  description?: string;
}

interface JsonProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
}

function properties(spec: ConnectorOptionsSpec): { props: Record<string, JsonProperty>; required: Set<string> } {
  const json = z.toJSONSchema(spec.schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonProperty>;
    required?: string[];
  };
  return { props: json.properties ?? {}, required: new Set(json.required ?? []) };
}

export function describeOptions(spec: ConnectorOptionsSpec): OptionInfo[] {
  const { props, required } = properties(spec);
  return Object.entries(props).map(([key, p]) => ({
    key,
    type: p.enum ? p.enum.map((v) => JSON.stringify(v)).join(' | ') : (p.type ?? 'any'),
    required: required.has(key),
    secret: spec.secrets.includes(key),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description ? { description: p.description } : {}),
  }));
}

/** The accepted options in one line, for hints. */
export function acceptedOptionsLine(connector: string, spec: ConnectorOptionsSpec): string {
  const infos = describeOptions(spec);
  if (infos.length === 0) return `Connector "${connector}" takes no options.`;
  const one = (o: OptionInfo) =>
    `${o.key} (${o.secret ? `a secret, as ${SECRET_PREFIX}NAME` : o.type}${o.required ? ', required' : ''}${
      o.default !== undefined ? `, default ${JSON.stringify(o.default)}` : ''
    })`;
  return `Options of "${connector}": ${infos.map(one).join(', ')}. See \`sitter connectors\`.`;
}

/**
 * `--option key=value` gives text; the schema says what the key holds, so `maxFileBytes=1000`
 * becomes a number and `flag=true` a boolean. Anything else is left as text for the schema to judge.
 */
export function coerceOptionText(spec: ConnectorOptionsSpec, key: string, text: string): unknown {
  const type = properties(spec).props[key]?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export interface OptionProblem {
  key: string;
  problem: string;
}

/**
 * Checks options against the connector's schema without resolving secrets, and returns what may be
 * stored: the values given (defaults are not written in, so a shoot keeps only what someone chose)
 * and, for secret keys, the `secret:NAME` reference. A literal value for a secret key is refused,
 * and never repeated in the error.
 */
export function validateOptions(
  connector: string,
  spec: ConnectorOptionsSpec,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const problems: OptionProblem[] = [];
  const known = new Set(Object.keys(spec.schema.shape));
  const { required } = properties(spec);
  const plain: Record<string, unknown> = {};
  const refs: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const ref = secretRefName(value);
    if (!known.has(key)) problems.push({ key, problem: 'unknown option' });
    else if (spec.secrets.includes(key)) {
      if (ref === null)
        problems.push({ key, problem: `is a secret: pass a reference ${SECRET_PREFIX}NAME, never the value itself` });
      else if (!isValidSecretName(ref))
        // The text after `secret:` may be the token itself, pasted by mistake: never repeated.
        problems.push({ key, problem: `names no valid secret: ${SECRET_NAME_RULE}` });
      else refs[key] = value as string;
    } else if (ref !== null) problems.push({ key, problem: `is not a secret option: ${SECRET_PREFIX} is not allowed` });
    else if (urlWithCredentials(value))
      // Stored options and the audit chain keep values in clear, and the chain cannot be rewritten:
      // a password typed into a URL would stay there for good. Refused, never repeated.
      problems.push({
        key,
        problem: `the URL carries a user name or password (user:pass@), which would be stored in clear for good: give the address alone${spec.secrets.length ? ` and the credential as ${spec.secrets.join(' or ')}=${SECRET_PREFIX}NAME` : ''}`,
      });
    else plain[key] = value;
  }
  for (const key of spec.secrets)
    if (required.has(key) && !(key in raw)) problems.push({ key, problem: `required (${SECRET_PREFIX}NAME)` });
  // Secrets are judged by reference here; their values are only checked once resolved (configure.ts).
  const withoutSecrets = z.object(
    Object.fromEntries(Object.entries(spec.schema.shape).filter(([k]) => !spec.secrets.includes(k))),
  );
  const checked = withoutSecrets.safeParse(plain);
  // A key already refused above (a `secret:` on a plain option) is not in `plain`: the schema would
  // only add a second, confusing "Invalid input" line about the same key.
  const refused = new Set(problems.map((p) => p.key));
  if (!checked.success)
    for (const issue of checked.error.issues) {
      const key = issue.path.map(String).join('.') || '(options)';
      if (refused.has(String(issue.path[0]))) continue;
      // Not a secret key (those were set aside above), so the value may be shown.
      const given = issue.path.length === 1 ? plain[String(issue.path[0])] : undefined;
      problems.push({
        key,
        problem: given === undefined ? issue.message : `${issue.message} (given ${JSON.stringify(given)})`,
      });
    }
  if (problems.length === 0 && checked.success && spec.check)
    problems.push(...spec.check({ ...checked.data, ...refs }));
  if (problems.length > 0) throw optionsInvalid(connector, spec, problems);
  return { ...plain, ...refs };
}

export function optionsInvalid(connector: string, spec: ConnectorOptionsSpec, problems: OptionProblem[]): SitterError {
  return new SitterError(
    'CONNECTOR_OPTIONS_INVALID',
    `The options of connector "${connector}" are not valid: ${problems.map((p) => `${p.key}: ${p.problem}`).join('; ')}.`,
    acceptedOptionsLine(connector, spec),
    { connector, problems },
  );
}

/** Option names that usually hold a credential. */
const CREDENTIAL_KEY = /api[-_]?key|token|passw(or)?d|pwd|secret|credential|auth/i;

/** A URL that carries a user name or password (`https://user:pass@host`). */
function urlWithCredentials(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) return false;
  try {
    const url = new URL(value.trim());
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** The option's schema accepts only fixed values (an enum, under optional/default wrappers). */
function isChoice(spec: ConnectorOptionsSpec, key: string): boolean {
  let t = spec.schema.shape[key] as { def?: { type?: string; innerType?: unknown } } | undefined;
  for (let i = 0; t && i < 5 && t.def?.innerType; i++) t = t.def.innerType as typeof t;
  return t?.def?.type === 'enum' || t?.def?.type === 'literal';
}

/**
 * A value under a key named like a credential that the connector does not declare secret, stored
 * in clear in the workspace and on the audit chain. Warnings only (it may be no credential at all),
 * and the value is never repeated: it may be the credential. (A URL with `user:pass@` is refused
 * outright by validateOptions.)
 */
export function credentialWarnings(
  connector: string,
  spec: ConnectorOptionsSpec,
  options: Record<string, unknown>,
): string[] {
  const where = `stored in clear in the workspace and on its audit chain`;
  const secretKeys = spec.secrets.length
    ? `give it to the secret option ${spec.secrets.join(' or ')} as ${SECRET_PREFIX}NAME`
    : `connector "${connector}" declares no secret option: ask its author for one, taking ${SECRET_PREFIX}NAME`;
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (spec.secrets.includes(key) || value === '' || value === null || value === undefined) continue;
    // A choice among fixed values (Asset Bank's `auth=none`) is a setting, not a credential.
    if (CREDENTIAL_KEY.test(key) && typeof value === 'string' && !isChoice(spec, key))
      warnings.push(
        `option ${key} is named like a credential, but connector "${connector}" does not treat it as a secret: its value is ${where}. If it is a credential, keep it as a secret (SITTER_SECRET_NAME or <workspace>/secrets/NAME) and ${secretKeys}; change it with \`sitter shoot configure\`.`,
      );
  }
  return warnings;
}
