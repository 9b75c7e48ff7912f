/**
 * Landmarks from a close look for faces the detector saw small. A face found by the whole-image pass
 * of a 6000 px photo was meshed on the 1024 px copy: a 240 px face was 41 px there, and its landmarks,
 * scaled back by 5.9, misplace the 150 px chip by several pixels; the recognition net then sees
 * another crop of the face than it would close up (measured: 4% faces named 68/80 against 78/80 close
 * up, docs/engine.md "Small faces in big photos"), and a coarse mesh's low score could drop the face
 * altogether. The chip is already cut from the full-resolution raster; this gives it landmarks of the
 * same resolution: the face's mesh again on a crop of the full raster centred on it (the close look
 * the tiled pass already takes), as many pixels as the face has, up to the mesh network's input.
 */
import type { RgbImage } from './decode.js';
import { CLOSE_LOOK_SIDE, focus, type Candidate, type DetectOptions } from './detect.js';
import type { Runtime } from './runtime.js';

/** a close look must see the face at least this much larger than the mesh did to be worth taking */
const MIN_GAIN = 1.2;
/** the mesh network's input side: a face is cropped and resized to it, so more pixels add nothing */
const MESH_INPUT = 192;

/** The face's width, in pixels, that a close look gives the mesh: all it has, up to the mesh's input. */
function closeLookFaceSide(c: Candidate): number {
  return Math.min(Math.max(c.box.w, c.box.h), MESH_INPUT);
}

/** Does the mesh come from a raster where the face had fewer pixels than a close look would give it? */
export function needsCloseLook(c: Candidate): boolean {
  return closeLookFaceSide(c) >= MIN_GAIN * c.inputFaceSide;
}

/**
 * The candidate with its mesh, mesh score and box from a close look, when it needs one and the close
 * look finds the face; otherwise as it was. The detector's scores stay those of the pass that found
 * it. The mesh score is the close look's because the quality rules judge the mesh the chip is aligned
 * from: a 31 px mesh of a 180 px face can score 0.34 and drop a face whose close look scores 1.0.
 */
export async function refineLandmarks(
  rt: Runtime,
  img: RgbImage,
  c: Candidate,
  opts: DetectOptions,
): Promise<Candidate> {
  if (!needsCloseLook(c)) return c;
  // the raster is at least a normal close look's, larger when the face has the pixels for it
  const side = Math.max(CLOSE_LOOK_SIDE, Math.round(closeLookFaceSide(c) * opts.focusContext));
  const close = await focus(rt, img, c.box, opts.focusContext, c.pass, side);
  if (!close) return c;
  return { ...c, box: close.box, mesh: close.mesh, score: close.score, inputFaceSide: close.inputFaceSide };
}
