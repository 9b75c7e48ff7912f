import { availableParallelism } from 'node:os';
import { scanShoot, type ScanProgress, type ScanSummary } from '../../core/services/scan-service.js';
import type { Session } from '../session.js';

export interface ScanRequest {
  /** engine worker threads (default: one per core) */
  workers?: number;
  /** reprocess assets whose content did not change */
  rescan?: boolean;
  /** a reviewer can stop a scan (AI Act Art. 14); assets already done stay done */
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

/**
 * The scan, as the CLI and the app both run it: the service checks the shoot (approval, dates,
 * scope) before the scan lock, the connector or the engine; one asset more in flight than there are
 * workers keeps every worker busy while the next asset is fetched.
 */
export function scan(session: Session, shootId: string, request: ScanRequest = {}): Promise<ScanSummary> {
  const { workers } = request;
  return scanShoot(
    session.ctx,
    {
      connectors: session.connectors,
      engines: session.engines,
      ...(workers !== undefined ? { workers } : {}),
      lock: (shoot) => session.ws.scanLock(shoot),
    },
    shootId,
    {
      concurrency: (workers ?? availableParallelism()) + 1,
      rescan: Boolean(request.rescan),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    },
  );
}
