import { canonicalJson } from './audit.js';
import type { Face, Template } from './records.js';

/**
 * Where an encrypted embedding belongs. It is authenticated as AES-GCM associated data, so a blob
 * copied onto another row (another participant's template, another face, another model's row) fails
 * to decrypt instead of naming the wrong person. Only fields known before the row is inserted and
 * never changed while the blob lives are bound: ids assigned at insert, and a template's originRef
 * (which follows a confirmed face to its re-detection), are not.
 */
export type SealBinding =
  | { kind: 'template'; shootId: string; participantId: number; modelDigest: string; origin: Template['origin'] }
  | {
      kind: 'face';
      shootId: string;
      assetId: number;
      box: { x: number; y: number; w: number; h: number };
      participantId: number | null;
      modelDigest: string;
    };

export function templateBinding(
  t: Pick<Template, 'shootId' | 'participantId' | 'modelDigest' | 'origin'>,
): SealBinding {
  return {
    kind: 'template',
    shootId: t.shootId,
    participantId: t.participantId,
    modelDigest: t.modelDigest,
    origin: t.origin,
  };
}

/** A stored face embedding: kept only for a proposal, so the proposed participant is part of it. */
export function faceBinding(
  f: Pick<Face, 'shootId' | 'assetId' | 'x' | 'y' | 'w' | 'h' | 'participantId'> & { modelDigest: string },
): SealBinding {
  return {
    kind: 'face',
    shootId: f.shootId,
    assetId: f.assetId,
    box: { x: f.x, y: f.y, w: f.w, h: f.h },
    participantId: f.participantId,
    modelDigest: f.modelDigest,
  };
}

/** The associated-data bytes: versioned, canonical, the same at seal and open time. */
export function bindingBytes(binding: SealBinding): Uint8Array {
  return new TextEncoder().encode(`sitter-seal-v2\n${canonicalJson(binding)}`);
}

/** How a binding is named in an error message, without any biometric content. */
export function describeBinding(binding: SealBinding): string {
  return binding.kind === 'template'
    ? `template of participant #${binding.participantId}`
    : `face embedding on asset #${binding.assetId}`;
}
