/**
 * Providers over adapters the caller already holds: a benchmark that reuses one engine pool for
 * several scans, a test with a fake engine or connector. What is lent is never closed by the
 * service that borrows it; the lender closes it.
 */
import type { Connector } from '../core/ports/connector.js';
import type { FaceEngine, MatchCalibration } from '../core/ports/face-engine.js';
import type { ConnectorProvider, EngineProvider } from '../core/ports/providers.js';

export function givenConnector(connector: Connector): ConnectorProvider {
  const lent: Connector = Object.create(connector) as Connector;
  lent.close = async () => undefined;
  return { forShoot: async () => lent };
}

export function givenEngine(engine: FaceEngine, calibration: MatchCalibration): EngineProvider {
  const lent: FaceEngine = {
    model: engine.model,
    analyse: (image, options) => engine.analyse(image, options),
    close: async () => undefined,
  };
  return { open: async () => ({ engine: lent, calibration }) };
}
