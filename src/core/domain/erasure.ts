import { createHash } from 'node:crypto';

/**
 * How an erasure is found again once the person's row is blanked: a digest of the shoot and the
 * organisation's reference, like the withdrawn forms' digests (`formDigest`). It names nobody to
 * anyone who does not already hold the reference.
 */
export function erasureDigest(shootId: string, externalRef: string): string {
  return createHash('sha256').update(`sitter-erasure:${shootId}\u0000${externalRef}`).digest('hex');
}
