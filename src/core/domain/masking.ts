import { type ClearanceFacts, type ClearanceFace, type ClearanceReason, faceVerdict } from './clearance.js';
import { clamp01, type RelativeBox } from './geometry.js';
import type { Asset } from './records.js';

/**
 * Publication copies (issue 13): which faces of an asset are masked for a scope, and how much around
 * each. A face stays visible only when clearance covers it (a confirmed person whose consent allows
 * the scope now); every other face is masked. Pure: the service reads the facts and the clock, the
 * image adapter paints.
 */

/** Why a face is masked: clearance's reason, or a face a reviewer set aside as no usable face. */
export type MaskReason = ClearanceReason | 'face-ignored';

/**
 * Margin added on every side of a face box, as a fraction of that box's own width (left and right)
 * and height (top and bottom). Detector boxes run roughly from the eyebrows to the chin and between
 * the cheeks; hair, ears, forehead and jaw line identify a person too, and the box of a turned or
 * blurred face is often a little off. A quarter of the box each way (the masked area is 1.5 times
 * the box on each side) covers the head without swallowing the photo, and scales with the face, so
 * a face far away and a portrait get the same protection.
 */
export const MASK_MARGIN = 0.25;

/**
 * How many pixel blocks the mask has across the longer side of its area (margin included). Fine
 * pixelation is not anonymisation: faces pixelated into a handful of blocks across were still
 * recognised by a trained network well above chance among a small set of known people (McPherson,
 * Shokri, Shmatikov 2016), and a closed shoot's roster is exactly such a set. Four blocks across face and margin
 * leave each block the average of a sixteenth of the head with its hair and background: a patch of
 * colour, no features. The block size is therefore relative to the face (a 400-pixel face gets 150-pixel
 * blocks), never a fixed number of pixels that would leave a large face readable.
 */
export const MASK_BLOCKS_ACROSS = 4;

export type MaskFace = ClearanceFace & RelativeBox;

export interface MaskedFace {
  face: number;
  /** the face box as found (displayed frame, fractions of the image) */
  box: RelativeBox;
  /** the area painted over: the box and its margin, clamped to the image */
  area: RelativeBox;
  reason: MaskReason;
}

export interface KeptFace {
  face: number;
  box: RelativeBox;
  participantId: number;
}

export interface MaskPlan {
  masked: MaskedFace[];
  kept: KeptFace[];
}

const boxOf = (f: RelativeBox): RelativeBox => ({ x: f.x, y: f.y, w: f.w, h: f.h });

/** The face box grown by `MASK_MARGIN` on every side, clamped to the image. */
export function maskArea(box: RelativeBox, margin = MASK_MARGIN): RelativeBox {
  const x = clamp01(box.x - box.w * margin);
  const y = clamp01(box.y - box.h * margin);
  return {
    x,
    y,
    w: clamp01(box.x + box.w * (1 + margin)) - x,
    h: clamp01(box.y + box.h * (1 + margin)) - y,
  };
}

/**
 * The faces of one scanned asset to mask and to keep for `scope` as of `now`. `faces` are the asset's
 * faces with their boxes; the verdict is clearance's own (`faceVerdict`), so a copy never shows a face
 * that `sitter clearance` would call a problem.
 */
export function maskPlan(
  facts: Pick<ClearanceFacts, 'participants' | 'consents'>,
  asset: Pick<Asset, 'id' | 'scanState'>,
  faces: readonly MaskFace[],
  scope: string,
  now: Date,
): MaskPlan {
  if (asset.scanState !== 'scanned') throw new Error(`asset ${asset.id} is not scanned: its faces are not known`);
  const verdictFacts: ClearanceFacts = { ...facts, assets: [], faces: [], decisions: [], pushes: [] };
  const plan: MaskPlan = { masked: [], kept: [] };
  for (const face of faces) {
    if (face.assetId !== asset.id) continue;
    const box = boxOf(face);
    const reason: MaskReason | null =
      face.state === 'ignored' ? 'face-ignored' : (faceVerdict(verdictFacts, face, scope, now)?.reason ?? null);
    if (reason === null && face.participantId !== null)
      plan.kept.push({ face: face.id, box, participantId: face.participantId });
    else plan.masked.push({ face: face.id, box, area: maskArea(box), reason: reason ?? 'face-unidentified' });
  }
  return plan;
}
