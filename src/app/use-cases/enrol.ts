import { enrolShoot, type EnrolSummary } from '../../core/services/enrol-service.js';
import type { Session } from '../session.js';

/** Enrolment, as the CLI and the app both run it: the service checks the shoot before loading an engine. */
export function enrol(session: Session, shootId: string): Promise<EnrolSummary> {
  return enrolShoot(session.ctx, { engines: session.engines, files: session.files }, shootId);
}
