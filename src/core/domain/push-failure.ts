/**
 * A push's failure on one asset, or on none ('*'), and how to read it. Kept apart from the push
 * service so the CLI's command table can tell a failed sweep from an unreachable DAM without loading
 * the service at start-up.
 */
export interface PushFailure {
  /** the asset's id; '*': no one asset (the connector or its DAM failed, or the sweep below) */
  asset: string;
  code: string;
  message: string;
  hint?: string;
  /**
   * `leftovers`: the sweep of a killed push's temp files failed (`removeLeftovers`). The DAM was
   * reached and the assets were written; the next push or withdrawal sweeps again.
   */
  stage?: 'leftovers';
}

/** Was this the failed sweep of a killed push's temp files (the DAM was reached)? */
export function isSweepFailure(failure: { stage?: unknown }): boolean {
  return failure.stage === 'leftovers';
}

/** Did this failure keep the DAM from being reached at all (not one asset's, not the leftover sweep's)? */
export function isDamUnreached(failure: { asset?: unknown; stage?: unknown }): boolean {
  return failure.asset === '*' && !isSweepFailure(failure);
}
