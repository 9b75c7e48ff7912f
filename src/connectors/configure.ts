/**
 * A shoot's connector, made from what the shoot row stores: the registry name and the options as
 * validated at `shoot create` / `shoot configure`, with each `secret:NAME` reference resolved only
 * now, in memory. The application layer's connector provider calls `connectShoot`.
 */
import { UsageError } from '../core/domain/errors.js';
import type { Shoot } from '../core/domain/shoot.js';
import type { Connector, ConnectorContext } from '../core/ports/connector.js';
import type { ConnectorProvider } from '../core/ports/providers.js';
import type { ConnectorOptionsSpec } from './options.js';
import { optionsInvalid, validateOptions } from './options.js';
import type { ConnectorRegistry } from './registry.js';
import { secretRefName, type SecretSource } from './secrets.js';

type ShootConnectorRef = Pick<Shoot, 'connector' | 'connectorOptions'>;

/**
 * Stored options with every secret reference replaced by its value (never stored, never logged), and
 * the values by secret name, which the connector's wrapper hides from its errors.
 */
export async function resolveSecrets(
  connector: string,
  spec: ConnectorOptionsSpec,
  stored: Record<string, unknown>,
  secrets: SecretSource,
): Promise<{ options: Record<string, unknown>; values: Record<string, string> }> {
  const options: Record<string, unknown> = { ...stored };
  const values: Record<string, string> = {};
  for (const key of spec.secrets) {
    const name = secretRefName(stored[key]);
    if (name === null) continue;
    values[name] = await secrets.lookup(name, { connector, option: key });
    options[key] = values[name];
  }
  return { options, values };
}

/**
 * Checks the stored options against the connector's schema as it is today (a plugin update may have
 * dropped an option), resolves the secrets, and makes the wrapped connector with the schema's
 * output (defaults filled in), so a connector receives typed values.
 */
export async function connectShoot(
  registry: ConnectorRegistry,
  shoot: ShootConnectorRef,
  secrets: SecretSource,
  context?: ConnectorContext,
): Promise<Connector> {
  const spec = registry.optionsOf(shoot.connector);
  const stored = validateOptions(shoot.connector, spec, shoot.connectorOptions);
  const resolved = await resolveSecrets(shoot.connector, spec, stored, secrets);
  const values = spec.schema.safeParse(resolved.options);
  // Only a secret's own constraints can fail here; zod's messages name the rule, never the value.
  if (!values.success)
    throw optionsInvalid(
      shoot.connector,
      spec,
      values.error.issues.map((i) => ({ key: i.path.map(String).join('.'), problem: i.message })),
    );
  return registry.create(shoot.connector, values.data, resolved.values, context);
}

/**
 * The options a shoot stores after `shoot configure`: its current ones, with `set` applied and the
 * `unset` keys removed, validated as a whole.
 */
export function reconfigure(
  registry: ConnectorRegistry,
  shoot: ShootConnectorRef,
  change: { set: Record<string, unknown>; unset: readonly string[] },
): Record<string, unknown> {
  const spec = registry.optionsOf(shoot.connector);
  const both = change.unset.filter((key) => Object.hasOwn(change.set, key));
  if (both.length > 0)
    throw new UsageError(
      'OPTIONS_CONTRADICTORY',
      `Option ${both.join(', ')} is both set and unset in one command: which one is meant is not clear.`,
      'Give either --option KEY=VALUE or --unset KEY for each option, not both.',
      { keys: both },
    );
  // A typo in --unset would otherwise be "nothing changed" while the option meant stays as it was.
  const unknown = change.unset.filter((key) => !Object.hasOwn(spec.schema.shape, key));
  if (unknown.length > 0)
    throw optionsInvalid(
      shoot.connector,
      spec,
      unknown.map((key) => ({ key, problem: 'unknown option: there is nothing to unset' })),
    );
  const next: Record<string, unknown> = { ...shoot.connectorOptions, ...change.set };
  for (const key of change.unset) delete next[key];
  return validateOptions(shoot.connector, spec, next);
}

/**
 * The port services receive: every shoot's connector made by `connectShoot` with these secrets (and
 * the host's context, lent to every connector made: one request budget per key for the session).
 */
export function shootConnectorProvider(
  registry: ConnectorRegistry,
  secrets: SecretSource,
  context?: ConnectorContext,
): ConnectorProvider {
  return { forShoot: (shoot) => connectShoot(registry, shoot, secrets, context) };
}
