/**
 * What Sitter lends a plugin's factory as its second argument (`create(options, host)`): the same
 * tools for every plugin, plus what the caller's ConnectorContext lends. Light on purpose (no loader,
 * no file access): the `sitter/connector` kit exports its types.
 */
import { CONSENT_URI_PREFIX } from '../core/domain/consent-uri.js';
import { SitterError } from '../core/domain/errors.js';
import type { ConnectorContext, ConnectorFactory } from '../core/ports/connector.js';
import { CONTRACT_VERSION } from './contract-version.js';
import { CONNECTOR_ERROR_CODES, connectorFailure, errorKind } from './errors.js';
import { BudgetRegistry } from './http/budget.js';
import { createHttpClient } from './http/client.js';
import type { HttpClient, HttpClientOptions } from './http/types.js';

/**
 * What Sitter lends a plugin: its error class (so refusals carry a hint), the consent URI prefix, the
 * typed connector failures and the HTTP toolkit (contract 3): request budgets (the caller's context's
 * when it gave one, so a session shares one per server) and the budgeted client; and the context's
 * secret updater and clock when it has them. A plugin never imports Sitter's internals: what it needs
 * of the host comes here (or, typed, from the package's `sitter/connector`).
 */
export interface PluginHost {
  SitterError: typeof SitterError;
  consentUriPrefix: string;
  /** the contract this Sitter implements */
  contract: typeof CONTRACT_VERSION;
  /** typed failures: `errors.connectorFailure('rate-limited', message, hint, { retryAfterMs })` */
  errors: {
    connectorFailure: typeof connectorFailure;
    CONNECTOR_ERROR_CODES: typeof CONNECTOR_ERROR_CODES;
    errorKind: typeof errorKind;
  };
  /**
   * the host's request budgets: the same key gives the same budget for every connector the caller's
   * context made (a session); made without a context, this connector's own budgets
   */
  budget: ConnectorContext['budget'];
  /**
   * the HTTP toolkit's client (budgeted, retried, typed errors, safe redirects: src/connectors/http):
   * `host.http({ connector, baseUrl, budget: host.budget(key, { requestsPerSecond, concurrency }) })`
   */
  http: (options: HttpClientOptions) => HttpClient;
  /** stores a rotated secret where the shoot keeps it; absent without a context or when it cannot */
  updateSecret?: ConnectorContext['updateSecret'];
  /** the host's clock (tests inject one) */
  now?: () => Date;
}

export type PluginFactory = (options: Record<string, unknown>, host: PluginHost) => ReturnType<ConnectorFactory>;

/** The host a plugin gets: the same tools for every plugin, plus what this call's context lends. */
export function pluginHost(context?: ConnectorContext): PluginHost {
  // Without a context (a test, `connectors check` on its own), budgets are this connector's alone.
  const budget = context ? context.budget.bind(context) : new BudgetRegistry().budget;
  const updateSecret = context?.updateSecret;
  const now = context?.now;
  return {
    SitterError,
    consentUriPrefix: CONSENT_URI_PREFIX,
    contract: CONTRACT_VERSION,
    errors: { connectorFailure, CONNECTOR_ERROR_CODES, errorKind },
    budget,
    http: createHttpClient,
    ...(updateSecret ? { updateSecret: updateSecret.bind(context) } : {}),
    ...(now ? { now: now.bind(context) } : {}),
  };
}
