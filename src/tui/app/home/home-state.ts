/** The home screen as a pure reducer: the workspace's shoots and which one is selected. */
import type { HomeData, ShootRow } from '../gateway.js';

export interface HomeState {
  loading: boolean;
  data: HomeData | null;
  selected: number;
  error: string | null;
  help: boolean;
}

export type HomeEvent =
  | { type: 'loading' }
  | { type: 'loaded'; data: HomeData }
  | { type: 'failed'; message: string }
  | { type: 'move'; by: number }
  | { type: 'help' };

export const initialHomeState: HomeState = { loading: true, data: null, selected: 0, error: null, help: false };

export function homeReducer(s: HomeState, e: HomeEvent): HomeState {
  switch (e.type) {
    case 'loading':
      return { ...s, loading: true };
    case 'loaded':
      return {
        ...s,
        loading: false,
        data: e.data,
        error: null,
        selected: Math.min(s.selected, Math.max(0, e.data.shoots.length - 1)),
      };
    case 'failed':
      return { ...s, loading: false, error: e.message };
    case 'move': {
      const n = s.data?.shoots.length ?? 0;
      if (n === 0) return s;
      return { ...s, selected: Math.max(0, Math.min(n - 1, s.selected + e.by)), help: false };
    }
    case 'help':
      return { ...s, help: !s.help };
  }
}

export function selectedShoot(s: HomeState): ShootRow | undefined {
  return s.data?.shoots[s.selected];
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** What needs someone's attention in one shoot, one sentence each (display only: the services decide). */
export function attentionOf(row: ShootRow): string[] {
  const out: string[] = [];
  const a = row.attention;
  if (a.retentionDue && a.retentionEndsAt)
    out.push(`retention ended ${day(a.retentionEndsAt)}: close the shoot (sitter shoot close ${row.shoot.id} --yes)`);
  if (a.expiringConsents.length) {
    const first = a.expiringConsents
      .map((c) => `${c.ref} ${day(c.expiresAt)}`)
      .slice(0, 3)
      .join(', ');
    out.push(
      `${a.expiringConsents.length} consent${a.expiringConsents.length === 1 ? '' : 's'} expiring ` +
        `within 30 days: ${first}${a.expiringConsents.length > 3 ? ', …' : ''}`,
    );
  }
  if (row.report.assets.failed)
    out.push(`${row.report.assets.failed} asset${row.report.assets.failed === 1 ? '' : 's'} failed to scan`);
  if (row.report.assets.withUnidentified)
    out.push(
      `${row.report.assets.withUnidentified} photo${row.report.assets.withUnidentified === 1 ? '' : 's'} with an unidentified person: handle manually`,
    );
  return out;
}
