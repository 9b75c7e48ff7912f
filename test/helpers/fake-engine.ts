import { contentHashOf } from '../../src/core/domain/content-hash.js';
import type { FaceAnalysis, FaceEngine, MatchCalibration } from '../../src/core/ports/face-engine.js';

/** The calibration of the `recordingEngine`'s model (same digest), for scans without a real model. */
export const TEST_CALIBRATION: MatchCalibration = { modelDigest: 'test-model', threshold: 0.5, margin: 0.1 };

/** The face engine, reduced to what a test must see: which images were analysed at all (none of them has a face). */
export function recordingEngine(): FaceEngine & { analysed: number } {
  const engine = {
    analysed: 0,
    model: { id: 'test-model', versions: {}, files: [], digest: 'test-model' },
    async analyse(bytes: Uint8Array): Promise<FaceAnalysis> {
      engine.analysed += 1;
      return {
        image: { width: 64, height: 48, orientation: 1, contentHash: contentHashOf(bytes), format: 'jpeg' },
        faces: [],
      };
    },
    async close() {},
  };
  return engine;
}
