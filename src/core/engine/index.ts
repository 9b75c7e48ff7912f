/** The face engine adapter: see docs/engine.md. */
export { LocalFaceEngine, type EngineOptions, type DetailedAnalysis, type RejectedFace } from './local-engine.js';
export { DEFAULT_CALIBRATION } from './calibration.js';
export { loadVerifiedModels, readManifest, identityOf, type ModelSource } from './model-manifest.js';
export { decodeImage, DEFAULT_MAX_PIXELS } from './decode.js';
export { FacePool, type PoolOptions, type PoolStats } from './pool.js';
