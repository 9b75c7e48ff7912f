/**
 * Connectors by name. Built-ins (`local`) are registered here; the plugin loader registers
 * third-party connectors into the same registry. Every connector handed out is wrapped
 * (wrap-connector.ts), so the core never holds a bare one.
 */
import { SitterError } from '../core/domain/errors.js';
import type { Connector, ConnectorContext, ConnectorFactory } from '../core/ports/connector.js';
import { createLocalConnector, LocalConnectorOptions } from './local/index.js';
import { NO_OPTIONS, type ConnectorOptionsSpec } from './options.js';
import { redactError, type ResolvedSecrets } from './redact.js';
import { wrapConnector } from './wrap-connector.js';

export interface ConnectorRegistration {
  /** registry name, e.g. `local`; lowercase letters, digits and dashes */
  name: string;
  /** one line for `sitter connectors` */
  title: string;
  /** `builtin` or where a plugin came from (its folder or package) */
  origin: string;
  /** makes an instance from typed options and the host's context (request budget, secret updates) */
  factory: ConnectorFactory;
  /**
   * the connector contract it implements (a plugin's manifest says; built-ins: 3). A connector under 2
   * is never handed a v3 call option (wrap-connector.ts). Absent: what the instance's `info.contract`
   * says, else 2.
   */
  contract?: 2 | 3;
  /** the options it accepts and which of them are secrets; none declared: it accepts no options */
  options?: ConnectorOptionsSpec;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export class ConnectorRegistry {
  private readonly byName = new Map<string, ConnectorRegistration>();

  /** Adds a connector; a bad or duplicate name is refused (a plugin cannot shadow a built-in). */
  register(reg: ConnectorRegistration): void {
    if (!NAME.test(reg.name)) {
      throw new SitterError(
        'CONNECTOR_NAME_INVALID',
        `"${reg.name}" (from ${reg.origin}) is not a valid connector name.`,
        'Use lowercase letters, digits and dashes, starting with a letter (at most 40).',
      );
    }
    const existing = this.byName.get(reg.name);
    if (existing) {
      throw new SitterError(
        'CONNECTOR_DUPLICATE',
        `Connector "${reg.name}" from ${reg.origin} clashes with the one from ${existing.origin}.`,
        'Rename the plugin connector, or remove one of them.',
        { name: reg.name, origins: [existing.origin, reg.origin] },
      );
    }
    this.byName.set(reg.name, reg);
  }

  /** Registered connectors, sorted by name. */
  list(): ConnectorRegistration[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** A registration by name; an unknown name is a SitterError listing the known ones. */
  get(name: string): ConnectorRegistration {
    const reg = this.byName.get(name);
    if (!reg) {
      throw new SitterError(
        'CONNECTOR_UNKNOWN',
        `There is no connector named "${name}".`,
        `Known connectors: ${
          this.list()
            .map((r) => r.name)
            .join(', ') || '(none)'
        }.`,
        { name },
      );
    }
    return reg;
  }

  /** The options a connector declares (none when it declares nothing). */
  optionsOf(name: string): ConnectorOptionsSpec {
    return this.get(name).options ?? NO_OPTIONS;
  }

  /**
   * A wrapped connector instance from options as the factory takes them (secrets already resolved:
   * see configure.ts `connectShoot` for a shoot's stored options, which also passes the resolved
   * values by name so no error of the connector carries one); an unknown name is a SitterError.
   * `context` is what the host lends the connector (contract 3): passed to the factory as it is.
   */
  create(
    name: string,
    options: Record<string, unknown> = {},
    secrets: ResolvedSecrets = {},
    context?: ConnectorContext,
  ): Connector {
    const reg = this.get(name);
    let connector: Connector;
    try {
      connector = context === undefined ? reg.factory(options) : reg.factory(options, context);
    } catch (e) {
      if (e instanceof SitterError) throw redactError(e, secrets);
      throw redactError(
        new SitterError(
          'CONNECTOR_FAILED',
          `Connector "${name}" could not be created: ${e instanceof Error ? e.message : String(e)}`,
          'Check its options; if it is a plugin, report this to its author.',
          { name, origin: reg.origin },
          { cause: e },
        ),
        secrets,
      );
    }
    return wrapConnector(connector, {
      name,
      origin: reg.origin,
      secrets,
      ...(reg.contract ? { contract: reg.contract } : {}),
    });
  }
}

/** Names of the connectors Sitter ships. */
export const BUILTIN_CONNECTORS = ['local'] as const;

/** A registry holding the built-in connectors (a new one each call: no module-level state). */
export function builtinRegistry(): ConnectorRegistry {
  const r = new ConnectorRegistry();
  r.register({
    name: 'local',
    title: 'Local folder: images under a folder, XMP sidecars next to them',
    origin: 'builtin',
    contract: 3,
    // The local folder needs nothing of the context: a disk has no rate limit.
    factory: (options) => createLocalConnector(options),
    options: { schema: LocalConnectorOptions, secrets: [], placement: ['sidecarNaming'] },
  });
  return r;
}

/** Shortcut: a wrapped built-in connector (with the host's context, when the caller has one). */
export function createBuiltinConnector(
  name: string,
  options: Record<string, unknown> = {},
  context?: ConnectorContext,
): Connector {
  return builtinRegistry().create(name, options, {}, context);
}
