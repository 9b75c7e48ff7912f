/** The shoot screen as a pure reducer: details, the approval form, and a running job's progress. */
import type { ScanProgress } from '../../../core/services/scan-service.js';
import type { ShootRow } from '../gateway.js';

export type Job = 'enrol' | 'scan' | 'push';

export type ShootMode =
  | { kind: 'view' }
  | { kind: 'approve'; field: 0 | 1; dpia: string; approver: string }
  | { kind: 'running'; job: Job; startedAt: number; progress: ScanProgress | null; at: number; stopping: boolean }
  | { kind: 'report' }
  | { kind: 'help' };

export interface ShootNotice {
  tone: 'info' | 'success' | 'warning' | 'error';
  lines: string[];
}

export interface ShootState {
  loading: boolean;
  row: ShootRow | null;
  mode: ShootMode;
  notice: ShootNotice | null;
}

export type ShootEvent =
  | { type: 'loading' }
  | { type: 'loaded'; row: ShootRow }
  | { type: 'failed'; message: string }
  | { type: 'approve-open'; approver: string }
  | { type: 'approve-type'; text: string }
  | { type: 'approve-erase' }
  | { type: 'approve-field' }
  | { type: 'cancel' }
  | { type: 'job-start'; job: Job; now: number }
  | { type: 'job-progress'; progress: ScanProgress; now: number }
  | { type: 'job-stopping' }
  | { type: 'job-done'; notice: ShootNotice }
  | { type: 'report' }
  | { type: 'help' };

export const initialShootState: ShootState = { loading: true, row: null, mode: { kind: 'view' }, notice: null };

export function shootReducer(s: ShootState, e: ShootEvent): ShootState {
  switch (e.type) {
    case 'loading':
      return { ...s, loading: true };
    case 'loaded':
      return { ...s, loading: false, row: e.row };
    case 'failed':
      return {
        ...s,
        loading: false,
        mode: s.mode.kind === 'running' ? { kind: 'view' } : s.mode,
        notice: { tone: 'error', lines: [e.message] },
      };
    case 'approve-open':
      return { ...s, mode: { kind: 'approve', field: 0, dpia: '', approver: e.approver }, notice: null };
    case 'approve-type': {
      if (s.mode.kind !== 'approve') return s;
      const text = [...e.text].filter((c) => c >= ' ').join('');
      return {
        ...s,
        mode:
          s.mode.field === 0
            ? { ...s.mode, dpia: (s.mode.dpia + text).slice(0, 80) }
            : { ...s.mode, approver: (s.mode.approver + text).slice(0, 80) },
      };
    }
    case 'approve-erase':
      if (s.mode.kind !== 'approve') return s;
      return {
        ...s,
        mode:
          s.mode.field === 0
            ? { ...s.mode, dpia: s.mode.dpia.slice(0, -1) }
            : { ...s.mode, approver: s.mode.approver.slice(0, -1) },
      };
    case 'approve-field':
      if (s.mode.kind !== 'approve') return s;
      return { ...s, mode: { ...s.mode, field: s.mode.field === 0 ? 1 : 0 } };
    case 'cancel':
      return s.mode.kind === 'running' ? s : { ...s, mode: { kind: 'view' } };
    case 'job-start':
      return {
        ...s,
        mode: { kind: 'running', job: e.job, startedAt: e.now, progress: null, at: e.now, stopping: false },
        notice: null,
      };
    case 'job-progress':
      if (s.mode.kind !== 'running') return s;
      return { ...s, mode: { ...s.mode, progress: e.progress, at: e.now } };
    case 'job-stopping':
      if (s.mode.kind !== 'running') return s;
      return { ...s, mode: { ...s.mode, stopping: true } };
    case 'job-done':
      return { ...s, mode: { kind: 'view' }, notice: e.notice };
    case 'report':
      return { ...s, mode: s.mode.kind === 'report' ? { kind: 'view' } : { kind: 'report' } };
    case 'help':
      if (s.mode.kind === 'running' || s.mode.kind === 'approve') return s;
      return { ...s, mode: s.mode.kind === 'help' ? { kind: 'view' } : { kind: 'help' } };
  }
}

/** Assets handled per second and the seconds left, from a scan's progress (null until measurable). */
export function scanRate(
  p: ScanProgress,
  startedAt: number,
  now: number,
): { perSecond: number; etaSeconds: number } | null {
  const handled = p.done + p.skipped + p.failed;
  const seconds = (now - startedAt) / 1000;
  if (handled === 0 || seconds <= 0) return null;
  const perSecond = handled / seconds;
  return { perSecond, etaSeconds: Math.max(0, (p.total - handled) / perSecond) };
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
