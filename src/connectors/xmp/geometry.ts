/**
 * Relative coordinates as text for XMP regions. The mapping of boxes from the displayed to the stored
 * frame is in src/core/domain/orientation.ts, the one orientation module.
 */
import { clamp01 } from '../../core/domain/geometry.js';

/**
 * Relative coordinates as text: at most 6 decimals (a micro-fraction: sub-pixel even at 100 MP),
 * trailing zeros trimmed. Deterministic, so pushing twice writes the same bytes.
 */
export function fmt(n: number): string {
  const s = clamp01(n).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}
