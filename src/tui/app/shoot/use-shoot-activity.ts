import { useEffect, useRef } from 'react';
import type { ShootGateway, ShootRow } from '../gateway.js';
import { REVIEW_POLL_MS } from '../review/elsewhere.js';

/**
 * Keeps the shoot screen's counts current while other reviewers decide (other processes, other
 * machines): the audit chain is polled after the entry the row was read at, and anything new there
 * reloads the row, quietly. Not while a job of this screen runs: its own progress is on screen.
 */
export function useShootActivity(
  gateway: Pick<ShootGateway, 'activity' | 'shoot'>,
  shootId: string,
  seenSeq: number | undefined,
  idle: () => boolean,
  onRow: (row: ShootRow) => void,
): void {
  const seen = useRef(0);
  if (seenSeq !== undefined && seenSeq > seen.current) seen.current = seenSeq;
  useEffect(() => {
    let polling = false;
    const timer = setInterval(() => {
      if (polling || seen.current === 0 || !idle()) return;
      polling = true;
      void gateway
        .activity(shootId, seen.current)
        .then(async ({ head, events }) => {
          seen.current = Math.max(seen.current, head);
          if (events.length > 0) onRow(await gateway.shoot(shootId));
        })
        .catch(() => undefined) // tried again at the next tick; `r` reloads by hand
        .finally(() => (polling = false));
    }, REVIEW_POLL_MS);
    return () => clearInterval(timer);
  }, [gateway, shootId]);
}
