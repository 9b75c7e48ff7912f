/**
 * How services get the heavy adapters: lazily, and only after the checks that do not need them. A
 * scan checks the shoot's approval, dates and scope first and only then asks for the engine, so a
 * refused scan never loads a model; a shoot's connector is made from the shoot's stored options and
 * the secrets they name, never from options a command passes around.
 */
import type { Shoot } from '../domain/shoot.js';
import type { Connector } from './connector.js';
import type { FaceEngine, MatchCalibration } from './face-engine.js';

/** Makes the connector of a shoot (registry name, stored options, secrets resolved by name). */
export interface ConnectorProvider {
  forShoot(shoot: Pick<Shoot, 'id' | 'connector' | 'connectorOptions'>): Promise<Connector>;
}

/** An engine and the calibration its scores are compared with; `close` frees workers and memory. */
export interface EngineHandle {
  engine: FaceEngine;
  calibration: MatchCalibration;
}

/** Loads a face engine on first use: `pool` for scans (worker threads), `single` for small jobs. */
export interface EngineProvider {
  open(kind: 'pool' | 'single', options?: { workers?: number }): Promise<EngineHandle>;
}
