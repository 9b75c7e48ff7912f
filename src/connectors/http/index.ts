/** The HTTP toolkit every REST connector uses (types.ts states the policy; docs/connectors.md explains it). */
export { BudgetRegistry, createRequestBudget } from './budget.js';
export type { BudgetOptions, BudgetStats } from './budget.js';
export { createHttpClient } from './client.js';
export { createTokenManager, REFRESH_MARGIN_MS } from './oauth2.js';
export type { OAuth2Grant, OAuth2Options, TokenManager } from './oauth2.js';
export { startLoopbackLogin } from './oauth2-loopback.js';
export type { LoopbackLogin, LoopbackLoginOptions } from './oauth2-loopback.js';
export { checkRedirect, hostMatches } from './redirects.js';
export { backoffMs, parseRetryAfter } from './retry.js';
export { redactUrl } from './sanitize.js';
export type * from './types.js';
