/**
 * Alignment from Human's 468-point face mesh: the dlib-style square chip face-api's recognition net
 * expects (150x150). Recipe (measured in docs/engine.md): eyes = means of mesh points 33/133 and
 * 362/263, mouth = mean of 61, 291, 13, 14; size = mean eye-to-mouth distance / 0.45; centre = mean of
 * the three points; box from (cx - 0.5 size, cy - 0.43 size), side = size; optionally rotated so the
 * eyes are level.
 */
export type Point2 = { x: number; y: number };

export interface FaceLandmarks {
  leftEye: Point2;
  rightEye: Point2;
  mouth: Point2;
  nose: Point2;
}

export interface ChipSpec {
  /** centre of the chip in image pixels */
  cx: number;
  cy: number;
  /** side of the square chip in image pixels, before resizing to 150 */
  side: number;
  /** roll of the eye line in degrees (positive: clockwise in image coordinates) */
  angle: number;
}

export const CHIP_SIZE = 150;

function mean(mesh: ArrayLike<readonly number[]>, idx: number[]): Point2 {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    const p = mesh[i];
    if (!p || p.length < 2) throw new RangeError(`mesh point ${i} missing`);
    x += p[0] ?? 0;
    y += p[1] ?? 0;
  }
  return { x: x / idx.length, y: y / idx.length };
}

export function landmarksFromMesh(mesh: ArrayLike<readonly number[]>): FaceLandmarks {
  return {
    leftEye: mean(mesh, [33, 133]),
    rightEye: mean(mesh, [362, 263]),
    mouth: mean(mesh, [61, 291, 13, 14]),
    nose: mean(mesh, [1]),
  };
}

const dist = (a: Point2, b: Point2) => Math.hypot(a.x - b.x, a.y - b.y);

export function chipFromLandmarks(l: FaceLandmarks, rotate: boolean): ChipSpec {
  const size = (dist(l.mouth, l.leftEye) + dist(l.mouth, l.rightEye)) / 2 / 0.45;
  const cx = (l.leftEye.x + l.rightEye.x + l.mouth.x) / 3;
  const cy = (l.leftEye.y + l.rightEye.y + l.mouth.y) / 3;
  const angle = rotate ? (Math.atan2(l.rightEye.y - l.leftEye.y, l.rightEye.x - l.leftEye.x) * 180) / Math.PI : 0;
  // the box's top-left is (cx - 0.5 size, cy - 0.43 size): its centre sits 0.07 size below (cx, cy)
  const dy = 0.07 * size;
  const rad = (angle * Math.PI) / 180;
  return { cx: cx - Math.sin(rad) * dy, cy: cy + Math.cos(rad) * dy, side: size, angle };
}

/** Measures used by the quality rules (all in image pixels or ratios). */
export interface FaceGeometry {
  interocular: number;
  /** nose offset from the eye-mouth centre line, relative to the eye distance: 0 frontal, ~0.5+ profile */
  yaw: number;
  /** eye distance / eye-mouth distance: about 1.0-1.3 for a frontal human face */
  eyeMouthRatio: number;
}

export function geometryOf(l: FaceLandmarks): FaceGeometry {
  const interocular = dist(l.leftEye, l.rightEye);
  const eyeMid = { x: (l.leftEye.x + l.rightEye.x) / 2, y: (l.leftEye.y + l.rightEye.y) / 2 };
  const eyeMouth = dist(eyeMid, l.mouth);
  // signed distance of the nose from the line eyeMid -> mouth
  const vx = l.mouth.x - eyeMid.x;
  const vy = l.mouth.y - eyeMid.y;
  const cross = (l.nose.x - eyeMid.x) * vy - (l.nose.y - eyeMid.y) * vx;
  const offset = eyeMouth > 0 ? Math.abs(cross) / eyeMouth : 0;
  return {
    interocular,
    yaw: interocular > 0 ? offset / interocular : 1,
    eyeMouthRatio: eyeMouth > 0 ? interocular / eyeMouth : 0,
  };
}
