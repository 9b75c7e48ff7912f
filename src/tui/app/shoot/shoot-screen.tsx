import { Box, Text } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../errors.js';
import type { ShootGateway } from '../gateway.js';
import { useShootActivity } from './use-shoot-activity.js';
import type { QueueStatus } from '../../../core/services/scan-queue-status.js';
import { useTerminalSize, type TerminalSize } from '../terminal/use-terminal-size.js';
import {
  duration,
  initialShootState,
  scanRate,
  shootReducer,
  type ShootNotice,
  type ShootState,
} from './shoot-state.js';
import { safeChildren, safeText } from '../widgets/safe-children.js';
import { KeyHelp, type KeyRow } from '../widgets/key-help.js';
import { useKeys } from '../widgets/use-keys.js';
import { useSyncedReducer } from '../widgets/use-synced-reducer.js';

/** Every key of the shoot screen, as the `?` help lists them. */
export const SHOOT_KEYS: KeyRow[] = [
  ['a', 'approve a draft (DPIA reference and approver; Tab next field, Enter approve)'],
  ['e', 'enrol: build face templates of the eligible participants'],
  ['s', 'scan the photos (x or Esc stops; assets done stay done)'],
  ['p', 'push the confirmed people into the photos'],
  ['t', 'report: per participant, proposed / confirmed / rejected'],
  ['v', 'review the proposals'],
  ['r', 'refresh'],
  ['? ', 'open / close this help'],
  ['Esc', 'close the form, report or help; else back to the shoots'],
  ['q', 'quit (Ctrl-C inside the approval form; a running scan is stopped first)'],
];

export interface ShootScreenProps {
  gateway: ShootGateway;
  shootId: string;
  /** the approver proposed in the approval form (the current user) */
  actor: string;
  onReview: () => void;
  onBack: () => void;
  onQuit: () => void;
  size?: TerminalSize;
}

/** Keys of the shoot screen. Approval, enrolment, scan and push are service calls; a scan can be stopped. */
export function useShoot({ gateway, shootId, actor, onReview, onBack, onQuit }: ShootScreenProps): ShootState {
  // keys read the state the previous key of the same chunk left (fast typing, tmux, SSH)
  const [state, dispatch, latest] = useSyncedReducer(shootReducer, initialShootState, (s: ShootState) => s);
  const stop = useRef<AbortController | null>(null);
  /** q pressed while a job runs: leave once it has finished (a scan is stopped first; assets done stay done) */
  const quitting = useRef(false);
  const load = useCallback(async () => {
    dispatch({ type: 'loading' });
    try {
      dispatch({ type: 'loaded', row: await gateway.shoot(shootId) });
    } catch (error) {
      dispatch({ type: 'failed', message: errorText(error) });
    }
  }, [gateway, shootId]);
  useEffect(() => void load(), [load]);
  useEffect(() => () => stop.current?.abort(), []);
  // Decisions made elsewhere (another reviewer, another machine) update the counts.
  useShootActivity(
    gateway,
    shootId,
    state.row?.seenSeq,
    () => latest.current.mode.kind !== 'running',
    (row) => dispatch({ type: 'loaded', row }),
  );

  const run = (job: 'enrol' | 'scan' | 'push') => {
    dispatch({ type: 'job-start', job, now: Date.now() });
    let work: Promise<ShootNotice>;
    if (job === 'enrol') {
      work = gateway.enrol(shootId).then((s) => ({
        tone: s.failed ? 'warning' : 'success',
        lines: [
          `Enrolled: ${s.enrolled} new, ${s.unchanged} unchanged, ${s.failed} failed, ${s.notEligible} not eligible (never processed).`,
          ...s.outcomes.flatMap((o) => (o.result === 'failed' ? [`${o.participant}: ${o.message}`] : [])),
        ],
      }));
    } else if (job === 'scan') {
      const controller = new AbortController();
      stop.current = controller;
      work = gateway
        .scan(shootId, (progress) => dispatch({ type: 'job-progress', progress, now: Date.now() }), controller.signal)
        .then((s) => ({
          tone: s.failed.length ? 'warning' : 'success',
          lines: [
            `${s.stopped ? 'Stopped' : 'Scanned'}: ${s.listed} assets, ${s.processed} analysed, ` +
              `${s.unchanged} unchanged, ${s.failed.length} failed; ${s.proposed} proposals, ` +
              `${s.unidentified} unidentified.`,
            ...s.failed.slice(0, 3).map((f) => `failed ${f.asset}: ${f.message}`),
          ],
        }));
    } else {
      if (!gateway.push) return;
      work = gateway.push(shootId).then((s) => ({
        tone: s.failed.length ? 'warning' : 'success',
        lines: [
          `Pushed: ${s.written} written, ${s.unchanged} unchanged, ${s.cleared} cleared, ${s.persons} persons.`,
          ...s.heldBack.slice(0, 2).map((h) => `held back ${h.participant} on ${h.asset}: consent ${h.consent}`),
          ...s.failed.slice(0, 2).map((f) => `failed ${f.asset}: ${f.message}`),
        ],
      }));
    }
    work.then(
      (notice) => {
        if (quitting.current) return onQuit();
        dispatch({ type: 'job-done', notice });
        void load();
      },
      (error: unknown) =>
        quitting.current
          ? onQuit()
          : dispatch({ type: 'job-done', notice: { tone: 'error', lines: [errorText(error)] } }),
    );
  };

  useKeys((input, key) => {
    const state = latest.current;
    const mode = state.mode;
    if (key.ctrl && input === 'c' && mode.kind === 'approve') return onQuit();
    if (mode.kind === 'running') {
      if (input === 'q') quitting.current = true;
      if (
        mode.job === 'scan' &&
        (input === 'x' || input === 'q' || key.escape || (key.ctrl && input === 'c')) &&
        !mode.stopping
      ) {
        stop.current?.abort();
        dispatch({ type: 'job-stopping' });
      }
      return;
    }
    if (mode.kind === 'approve') {
      if (key.escape) return dispatch({ type: 'cancel' });
      if (key.tab || (key.return && mode.field === 0)) return dispatch({ type: 'approve-field' });
      if (key.backspace || key.delete) return dispatch({ type: 'approve-erase' });
      if (key.return) {
        dispatch({ type: 'cancel' });
        gateway.approve(shootId, mode.dpia, mode.approver).then(
          () => {
            dispatch({
              type: 'job-done',
              notice: {
                tone: 'success',
                lines: [
                  `Approved (DPIA ${mode.dpia.trim()}, by ${mode.approver.trim()}). The roster is declared complete.`,
                ],
              },
            });
            void load();
          },
          (error: unknown) => dispatch({ type: 'failed', message: errorText(error) }),
        );
        return;
      }
      if (input && !key.ctrl && !key.meta) dispatch({ type: 'approve-type', text: input });
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) return onQuit();
    if (key.escape) {
      if (mode.kind === 'report') return dispatch({ type: 'report' });
      if (mode.kind === 'help') return dispatch({ type: 'help' });
      return onBack();
    }
    if (input === '?') return dispatch({ type: 'help' });
    if (input === 't') return dispatch({ type: 'report' });
    const status = state.row?.shoot.status;
    if (input === 'a' && status === 'draft') return dispatch({ type: 'approve-open', approver: actor });
    if (input === 'e' && status === 'approved') return run('enrol');
    if (input === 's' && status === 'approved') return run('scan');
    if (input === 'p' && gateway.push && status !== 'closed') return run('push');
    if (input === 'v') return onReview();
    if (input === 'r') return void load();
  });
  return state;
}

const TONE = { info: 'cyan', success: 'green', warning: 'yellow', error: 'red' } as const;

function bar(fraction: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(n)}${'░'.repeat(width - n)}`;
}

export function ShootView({ state, size, canPush }: { state: ShootState; size: TerminalSize; canPush: boolean }) {
  const width = size.columns;
  const row = state.row;
  if (!row) return <Text dimColor>{state.loading ? 'Loading the shoot…' : (state.notice?.lines[0] ?? '')}</Text>;
  const s = row.shoot;
  const r = row.report;
  const mode = state.mode;
  const keys = [
    s.status === 'draft' ? 'a approve' : null,
    s.status === 'approved' ? 'e enrol' : null,
    s.status === 'approved' ? 's scan' : null,
    canPush && s.status !== 'closed' ? 'p push' : null,
    'v review',
    't report',
    'r refresh',
    '? help',
    'Esc back',
    'q quit',
  ].filter(Boolean);
  const L = ({ children, dim }: { children: React.ReactNode; dim?: boolean }) => (
    <Text wrap="truncate-end" {...(dim ? { dimColor: true } : {})}>
      {safeChildren(children)}
    </Text>
  );
  return (
    <Box flexDirection="column" width={width}>
      <L>
        <Text bold>
          Shoot {s.id}: {safeText(s.name)}
        </Text>{' '}
        [{s.status}]
      </L>
      <L dim>purpose: {safeText(s.purpose)}</L>
      <L dim>
        source: {s.connector}:{s.source}
      </L>
      <L>
        approval:{' '}
        {s.dpiaRef
          ? `DPIA ${s.dpiaRef}, by ${s.approvedBy}, ${s.approvedAt?.toISOString().slice(0, 10)}`
          : 'none yet (draft: nothing is processed)'}{' '}
        · retention {s.retentionDays} days · reviewers {s.reviewersRequired}
      </L>
      <L>
        roster: {row.roster.total} · {row.roster.eligible} eligible · {row.roster['photos-only']} photos only ·{' '}
        {row.roster.withdrawn} withdrawn · {row.roster.expired} expired
      </L>
      <L>
        assets: {r.assets.total} ({r.assets.scanned} scanned, {r.assets.failed} failed, {r.assets.pushed} pushed)
      </L>
      <L>
        faces: {r.faces.total} · {r.pendingReview} pending review · {r.faces.confirmed} confirmed · {r.faces.rejected}{' '}
        rejected · {r.faces.unidentified} unidentified
      </L>
      <Box marginTop={1} flexDirection="column">
        {mode.kind === 'approve' ? (
          <>
            <Text bold>Approve (records the DPIA sign-off; declares the roster complete)</Text>
            <L>
              {mode.field === 0 ? '› ' : '  '}DPIA reference: {mode.dpia}
              {mode.field === 0 ? <Text inverse> </Text> : null}
            </L>
            <L>
              {mode.field === 1 ? '› ' : '  '}approved by: {mode.approver}
              {mode.field === 1 ? <Text inverse> </Text> : null}
            </L>
            <L dim>Tab next field · Enter approve · Esc cancel</L>
          </>
        ) : mode.kind === 'running' ? (
          <RunningJob mode={mode} width={width} />
        ) : mode.kind === 'help' ? (
          <KeyHelp keys={SHOOT_KEYS} width={width} />
        ) : mode.kind === 'report' ? (
          <>
            <Text bold>Report</Text>
            {r.participants.slice(0, Math.max(1, size.rows - 16)).map((p) => (
              <L key={p.participant}>
                {p.participant.padEnd(10)} {safeText(p.name).padEnd(20).slice(0, 20)} {p.consent.padEnd(14)} proposed{' '}
                {p.proposed} · confirmed {p.confirmed} · rejected {p.rejected}
              </L>
            ))}
            {r.todo.slice(0, 3).map((t) => (
              <L key={t} dim>
                next: {t}
              </L>
            ))}
          </>
        ) : null}
      </Box>
      {state.notice ? (
        <Box flexDirection="column" marginTop={1}>
          {state.notice.lines.slice(0, 4).map((l, i) => (
            <Text key={i} color={TONE[state.notice!.tone]} wrap="truncate-end">
              {safeText(l)}
            </Text>
          ))}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text dimColor wrap="truncate-end">
          {mode.kind === 'running'
            ? mode.job === 'scan'
              ? 'x stop the scan (assets done stay done) · q stop and quit'
              : 'working… · q quit when done'
            : keys.join(' · ')}
        </Text>
      </Box>
    </Box>
  );
}

function RunningJob({ mode, width }: { mode: Extract<ShootState['mode'], { kind: 'running' }>; width: number }) {
  const p = mode.progress;
  if (mode.job !== 'scan' || !p)
    return (
      <Text color="cyan">
        {mode.job === 'enrol'
          ? 'Enrolling: loading the face models and building templates…'
          : mode.job === 'scan'
            ? 'Scan: loading the face models and listing the assets…'
            : 'Pushing…'}
      </Text>
    );
  const handled = p.done + p.skipped + p.failed;
  const rate = scanRate(p, mode.startedAt, mode.at);
  return (
    <Box flexDirection="column">
      <Text color="cyan" wrap="truncate-end">
        {mode.stopping ? 'Stopping after the assets in progress…' : 'Scanning'} {handled}/{p.total} assets
      </Text>
      <Text wrap="truncate">{bar(p.total ? handled / p.total : 0, Math.max(10, Math.min(60, width - 2)))}</Text>
      <Text wrap="truncate-end">
        {rate ? `${rate.perSecond.toFixed(1)} assets/s · ETA ${duration(rate.etaSeconds)}` : 'measuring speed…'} ·{' '}
        {p.done} analysed · {p.skipped} unchanged · {p.failed} failed
      </Text>
      {p.current ? (
        <Text dimColor wrap="truncate-end">
          now: {p.current}
        </Text>
      ) : null}
    </Box>
  );
}

/** How often the shoot screen asks a team workspace's queue for its progress. */
const QUEUE_POLL_MS = 2000;

/** The shoot's queued scan (team workspace), polled while the screen is open; null when there is none. */
function useQueueStatus(gateway: ShootGateway, shootId: string): QueueStatus | null {
  const [status, setStatus] = useState<QueueStatus | null>(null);
  useEffect(() => {
    const poll = gateway.queueStatus;
    if (!poll) return;
    let live = true;
    const tick = () =>
      poll(shootId).then(
        (s) => live && setStatus(s),
        () => live && setStatus(null),
      );
    void tick();
    const timer = setInterval(() => void tick(), QUEUE_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [gateway, shootId]);
  return status;
}

/** One line: the queued scan's progress, as `sitter scan --status` tells it. */
export function QueueLine({ status }: { status: QueueStatus }) {
  const j = status.jobs;
  return (
    <Text wrap="truncate-end" {...(status.deadLettered.length > 0 ? { color: 'yellow' } : {})}>
      {`queue${status.finished ? ' finished' : ''}: ${status.assets - status.open}/${status.assets} done, ` +
        `${j.waiting} waiting, ${j.active} active, ${j.retrying} retrying, ${j.deadLettered} dead-lettered, ` +
        `${status.settled.failed} failed, ${status.workers.length} worker${status.workers.length === 1 ? '' : 's'}`}
    </Text>
  );
}

export function ShootScreen(props: ShootScreenProps) {
  const size = useTerminalSize(props.size);
  const state = useShoot(props);
  const queue = useQueueStatus(props.gateway, props.shootId);
  return (
    <Box flexDirection="column">
      <ShootView state={state} size={size} canPush={Boolean(props.gateway.push)} />
      {queue ? <QueueLine status={queue} /> : null}
    </Box>
  );
}
