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

/**
 * What Sitter lends a plugin: its error class (so refusals carry a hint), the consent URI prefix, the
 * typed connector failures (contract 3) and, when the caller made the connector with a context, the
 * request budget and the secret updater of that context. A plugin never imports Sitter's internals:
 * what it needs of the host comes here (or, typed, from the package's `sitter/connector`).
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
  /** the host's request budgets (same key, same budget in this process); absent without a context */
  budget?: ConnectorContext['budget'];
  /** stores a rotated secret where the shoot keeps it; absent without a context or when it cannot */
  updateSecret?: ConnectorContext['updateSecret'];
  /** the host's clock (tests inject one) */
  now?: () => Date;
}

export type PluginFactory = (options: Record<string, unknown>, host: PluginHost) => ReturnType<ConnectorFactory>;

/** The host a plugin gets: the same tools for every plugin, plus what this call's context lends. */
export function pluginHost(context?: ConnectorContext): PluginHost {
  const budget = context?.budget;
  const updateSecret = context?.updateSecret;
  const now = context?.now;
  return {
    SitterError,
    consentUriPrefix: CONSENT_URI_PREFIX,
    contract: CONTRACT_VERSION,
    errors: { connectorFailure, CONNECTOR_ERROR_CODES, errorKind },
    ...(budget ? { budget: budget.bind(context) } : {}),
    ...(updateSecret ? { updateSecret: updateSecret.bind(context) } : {}),
    ...(now ? { now: now.bind(context) } : {}),
  };
}
