/** The HTTP toolkit every REST connector uses (types.ts states the policy). */
export { BudgetRegistry, createRequestBudget } from './budget.js';
export type { BudgetOptions, BudgetStats } from './budget.js';
export { createHttpClient } from './client.js';
export { checkRedirect, hostMatches } from './redirects.js';
export { backoffMs, parseRetryAfter } from './retry.js';
export { redactUrl } from './sanitize.js';
export type * from './types.js';
