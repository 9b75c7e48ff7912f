import { Box, Text } from 'ink';
import { useCallback, useEffect } from 'react';
import { errorText } from '../errors.js';
import type { ShootGateway, ShootRow } from '../gateway.js';
import { useTerminalSize, type TerminalSize } from '../terminal/use-terminal-size.js';
import { attentionOf, homeReducer, initialHomeState, selectedShoot, type HomeState } from './home-state.js';
import { safeText } from '../../format/safe-text.js';
import { useKeys } from '../widgets/use-keys.js';
import { useSyncedReducer } from '../widgets/use-synced-reducer.js';
import { KeyHelp, type KeyRow } from '../widgets/key-help.js';

export interface HomeScreenProps {
  gateway: Pick<ShootGateway, 'overview'>;
  onOpen: (shootId: string) => void;
  onReview: (shootId: string) => void;
  onQuit: () => void;
  size?: TerminalSize;
}

/** Keys of the home screen: move, open, review, refresh, help, quit. */
export function useHome({ gateway, onOpen, onReview, onQuit }: HomeScreenProps): HomeState {
  // keys read the state the previous key of the same chunk left (fast typing, tmux, SSH)
  const [state, dispatch, latest] = useSyncedReducer(homeReducer, initialHomeState, (s: HomeState) => s);
  const load = useCallback(async () => {
    dispatch({ type: 'loading' });
    try {
      dispatch({ type: 'loaded', data: await gateway.overview() });
    } catch (error) {
      dispatch({ type: 'failed', message: errorText(error) });
    }
  }, [gateway]);
  useEffect(() => void load(), [load]);
  useKeys((input, key) => {
    const row = selectedShoot(latest.current);
    if (input === 'q' || (key.ctrl && input === 'c')) return onQuit();
    if (key.escape) return latest.current.help ? dispatch({ type: 'help' }) : undefined;
    if (key.upArrow || input === 'k') return dispatch({ type: 'move', by: -1 });
    if (key.downArrow || input === 'j') return dispatch({ type: 'move', by: 1 });
    if (input === 'g' || key.home) return dispatch({ type: 'move', by: -Infinity });
    if (input === 'G' || key.end) return dispatch({ type: 'move', by: Infinity });
    if (input === '?') return dispatch({ type: 'help' });
    if (input === 'r') return void load();
    if (key.return && row) return onOpen(row.shoot.id);
    if (input === 'v' && row) return onReview(row.shoot.id);
  });
  return state;
}

/** Every key of the home screen, as the `?` help lists them. */
export const HOME_KEYS: KeyRow[] = [
  ['j / k  ↓ / ↑', 'select the next / previous shoot'],
  ['g / G', 'first / last shoot'],
  ['Enter', 'open the shoot (approve, enrol, scan, push, report)'],
  ['v', "review the shoot's proposals"],
  ['r', 'refresh'],
  ['? / Esc', 'open / close this help'],
  ['q', 'quit'],
];

const COLS: [string, number][] = [
  ['SHOOT', 14],
  ['STATUS', 9],
  ['ELIG', 5],
  ['PHOTO', 6],
  ['WDRN', 5],
  ['EXP', 4],
  ['SCANNED', 9],
  ['PENDING', 8],
  ['UNID', 5],
];

function cells(r: ShootRow): string[] {
  const a = r.report.assets;
  return [
    r.shoot.id,
    r.shoot.status,
    String(r.roster.eligible),
    String(r.roster['photos-only']),
    String(r.roster.withdrawn),
    String(r.roster.expired),
    `${a.scanned}/${a.total}`,
    String(r.report.pendingReview),
    String(r.report.faces.unidentified),
  ];
}

function fit(raw: string, width: number): string {
  const text = safeText(raw);
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

export function HomeView({ state, size }: { state: HomeState; size: TerminalSize }) {
  const width = size.columns;
  const data = state.data;
  const sel = selectedShoot(state);
  const attention = data ? data.shoots.flatMap((r) => attentionOf(r).map((t) => `${r.shoot.id}: ${t}`)) : [];
  if (data && !data.audit.ok)
    attention.unshift(
      `the audit chain is broken at entry ${data.audit.firstBadSeq} (${data.audit.reason}): run sitter audit verify`,
    );
  const tableRows = Math.max(1, size.rows - 9 - Math.min(attention.length, 4));
  const start = Math.max(
    0,
    Math.min(state.selected - Math.floor(tableRows / 2), (data?.shoots.length ?? 0) - tableRows),
  );
  return (
    <Box flexDirection="column" width={width}>
      <Box width={width}>
        <Box flexGrow={1}>
          <Text bold wrap="truncate-end">
            Sitter · shoots
          </Text>
        </Box>
        {data ? (
          <Text color={data.audit.ok ? 'green' : 'red'}>
            {data.audit.ok ? `audit chain ok (${data.audit.count})` : 'AUDIT CHAIN BROKEN'}
          </Text>
        ) : null}
      </Box>
      {state.help ? (
        <Box flexDirection="column">
          <KeyHelp keys={HOME_KEYS} width={width} />
          <Text dimColor wrap="truncate-end">
            ELIG eligible for matching · PHOTO photos only · WDRN withdrawn
          </Text>
          <Text dimColor wrap="truncate-end">
            EXP expired · UNID unidentified faces
          </Text>
        </Box>
      ) : null}
      {state.error ? (
        <Text color="red" wrap="wrap">
          {state.error}
        </Text>
      ) : null}
      {!data ? (
        <Text dimColor>{state.loading ? 'Loading the workspace…' : ''}</Text>
      ) : data.shoots.length === 0 ? (
        <Text wrap="wrap">No shoots yet. Create one with `sitter shoot create`, then come back.</Text>
      ) : (
        <Box flexDirection="column">
          <Text dimColor wrap="truncate">
            {'  '}
            {COLS.map(([h, w]) => fit(h, w)).join('')}
          </Text>
          {data.shoots.slice(start, start + tableRows).map((r) => (
            <Text key={r.shoot.id} wrap="truncate" {...(r === sel ? { inverse: true } : {})}>
              {r === sel ? '› ' : '  '}
              {cells(r)
                .map((c, i) => fit(c, COLS[i]![1]))
                .join('')}
            </Text>
          ))}
          {sel ? (
            <Text dimColor wrap="truncate-end">
              {safeText(sel.shoot.name)} · {safeText(sel.shoot.purpose)}
            </Text>
          ) : null}
        </Box>
      )}
      {attention.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold color="yellow">
            Needs attention
          </Text>
          {attention.slice(0, 4).map((t) => (
            <Text key={t} color="yellow" wrap="truncate-end">
              ! {t}
            </Text>
          ))}
          {attention.length > 4 ? <Text dimColor>… and {attention.length - 4} more</Text> : null}
        </Box>
      ) : null}
      <Text dimColor wrap="truncate-end">
        j/k select · Enter open · v review · r refresh · ? help · q quit
      </Text>
    </Box>
  );
}

export function HomeScreen(props: HomeScreenProps) {
  const size = useTerminalSize(props.size);
  const state = useHome(props);
  return <HomeView state={state} size={size} />;
}
