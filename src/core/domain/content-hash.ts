import { createHash } from 'node:crypto';

/**
 * `sha256:<hex>` of an asset's content: the form the connector contract compares, the face engine
 * reports for the bytes it analysed, and the asset record keeps so push names people only on it.
 */
export function contentHashOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
