/**
 * An image too small to hold a face the detector can find is refused with a reason, never reported
 * as "0 faces": a scan that says "nobody here" about a 40 px thumbnail would be telling the archive
 * something it never looked at. The figure is measured by `npm run measure:small` (scripts/
 * measure-small.ts, docs/engine.md "Too small to analyse"): tight face crops from ../shared/faces
 * downsized step by step; below the smallest side at which any of them was still found, no face can be.
 */
import { SitterError } from '../domain/errors.js';

/** The shorter side, in displayed pixels, below which no face was found (docs/engine.md). */
export const MIN_ANALYSABLE_SIDE = 20;

export function assertAnalysable(width: number, height: number, minSide = MIN_ANALYSABLE_SIDE): void {
  const side = Math.min(width, height);
  if (side >= minSide) return;
  throw new SitterError(
    'IMAGE_TOO_SMALL',
    `The image is ${width}x${height}: below ${minSide} px on its shorter side no face can be found, so it was not analysed.`,
    'Put the full-size original in the shoot folder instead of this thumbnail or icon, and scan again.',
    { width, height, minSide },
  );
}
