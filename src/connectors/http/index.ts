/** The HTTP toolkit every REST connector uses (see types.ts for the policy). */
export { BudgetRegistry, createRequestBudget } from './budget.js';
export type { BudgetOptions, BudgetStats } from './budget.js';
export type * from './types.js';
