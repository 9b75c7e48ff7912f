import { Box, Text } from 'ink';
import type { QueueItem } from '../../../core/services/matches-service.js';
import type { ReviewParticipant } from '../../../core/services/review-info.js';
import type { TerminalCaps } from '../terminal/capabilities.js';
import type { ImageSlot } from '../terminal/pixels.js';
import { Picture } from '../widgets/picture.js';
import type { ReviewLayout } from './review-layout.js';
import { currentItem, queuePosition, type Notice, type ReviewState } from './review-state.js';
import { safeChildren, safeText } from '../widgets/safe-children.js';
import { KeyHelp, type KeyRow } from '../widgets/key-help.js';

export interface ReviewViewProps {
  state: ReviewState;
  layout: ReviewLayout;
  caps: TerminalCaps;
  face: ImageSlot | null;
  reference: ImageSlot | null;
  /** the shoot being reviewed (shown before the queue has loaded) */
  shootId?: string;
  /** the assign picker, drawn beside the pictures while it is open */
  assignPane?: React.ReactNode;
}

const fmt = (n: number | null, digits = 3) => (n === null ? '-' : n.toFixed(digits));

/** Every key of the review queue, as the `?` help lists them. */
export const KEYS: KeyRow[] = [
  ['y / Enter', 'confirm the proposed participant'],
  ['n', 'reject: this face is not them (never proposed again)'],
  ['a', 'assign the face to another eligible participant'],
  ['s', 'skip for now (it comes back at the end)'],
  ['u', 'undo your last decision'],
  ['b', 'bulk confirm: the rest of this photo, or every score above a value'],
  ['l j → / h k ←', 'next / previous proposal without deciding'],
  ['g / G', 'first / last proposal still to decide'],
  ['/', 'filter by participant, file or state (Enter keep, Esc clear)'],
  ['r', 'reload the queue (a running scan may have added proposals)'],
  ['?', 'this help (any key closes it)'],
  ['Esc', 'clear the filter, close a menu, else back'],
  ['q / Ctrl-C', 'quit, once the decisions still saving are saved'],
];

function Line({
  children,
  width,
  ...style
}: {
  children: React.ReactNode;
  width: number;
  bold?: boolean;
  dimColor?: boolean;
  color?: string;
}) {
  return (
    <Box width={width}>
      <Text wrap="truncate-end" {...style}>
        {safeChildren(children)}
      </Text>
    </Box>
  );
}

const TONE: Record<Notice['tone'], string> = { info: 'cyan', success: 'green', warning: 'yellow', error: 'red' };

function consentColour(status: string | null): string {
  return status === 'eligible' ? 'green' : status === null ? 'gray' : 'red';
}

function Details({
  state,
  item,
  participant,
  width,
}: {
  state: ReviewState;
  item: QueueItem;
  participant: ReviewParticipant | undefined;
  width: number;
}) {
  const f = item.face;
  const required = state.snapshot?.shoot.reviewersRequired ?? 1;
  const facesInAsset = item.asset.faces.filter((x) => x.state !== 'ignored');
  const position = facesInAsset.findIndex((x) => x.face === f.face) + 1;
  const mine = f.confirmedBy.includes(state.reviewer);
  return (
    <Box flexDirection="column" width={width} paddingLeft={1}>
      <Line width={width - 1} bold>
        {f.participantName ?? '(nobody)'}
      </Line>
      <Line width={width - 1}>
        id {f.participant ?? '-'}
        {participant?.minor ? ' · minor' : ''}
      </Line>
      <Box width={width - 1}>
        <Text wrap="truncate-end">
          consent <Text color={consentColour(f.consent)}>{f.consent ?? '-'}</Text>
        </Text>
      </Box>
      <Line width={width - 1}>
        score {fmt(f.score)} · margin {fmt(f.margin)}
      </Line>
      <Line width={width - 1}>file {item.asset.file}</Line>
      <Line width={width - 1} dimColor>
        face {f.face} · {position} of {facesInAsset.length} in this photo
      </Line>
      {required === 2 ? (
        <Line width={width - 1} color={f.confirmedBy.length ? 'cyan' : undefined}>
          {f.confirmedBy.length
            ? `confirmed first by ${f.confirmedBy.join(', ')} (1 of 2)`
            : 'two-person review: 0 of 2'}
        </Line>
      ) : null}
      {mine ? (
        <Line width={width - 1} color="yellow">
          you confirmed; needs another
        </Line>
      ) : null}
      {f.consent !== 'eligible' ? (
        <Line width={width - 1} color="red">
          consent invalid now: reject
        </Line>
      ) : null}
    </Box>
  );
}

function Help({ width }: { width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <KeyHelp keys={KEYS} width={width} />
      <Text dimColor wrap="truncate-end">
        Each decision is saved the moment you press its key. Press any key to close.
      </Text>
    </Box>
  );
}

function BulkPanel({ state, width }: { state: ReviewState; width: number }) {
  const m = state.mode;
  const item = currentItem(state);
  if (m.kind === 'bulk-menu') {
    return (
      <Box flexDirection="column" width={width} paddingLeft={1}>
        <Line width={width - 1} bold>
          Bulk confirm
        </Line>
        <Line width={width - 1}>1 the rest of {item?.asset.file ?? 'this photo'}</Line>
        <Line width={width - 1}>2 every proposal above a score</Line>
        <Line width={width - 1} dimColor>
          Esc cancel
        </Line>
      </Box>
    );
  }
  if (m.kind === 'bulk-score') {
    return (
      <Box flexDirection="column" width={width} paddingLeft={1}>
        <Line width={width - 1} bold>
          Confirm every score at least
        </Line>
        <Box width={width - 1}>
          <Text>
            {'> '}
            {m.input}
            <Text inverse> </Text>
          </Text>
        </Box>
        <Line width={width - 1} dimColor>
          Enter next · Esc cancel
        </Line>
      </Box>
    );
  }
  if (m.kind === 'bulk-confirm') {
    const what =
      m.choice.kind === 'asset' ? `in ${safeText(m.choice.file)}` : `with score ≥ ${m.choice.min.toFixed(2)}`;
    return (
      <Box flexDirection="column" width={width} paddingLeft={1}>
        <Line width={width - 1} bold color="yellow">
          Confirm {m.count} proposal{m.count === 1 ? '' : 's'}
        </Line>
        <Line width={width - 1}>{what}?</Line>
        <Line width={width - 1}>y yes · n no</Line>
      </Box>
    );
  }
  return null;
}

/** The review queue, drawn from its state: no logic beyond layout. */
export function ReviewView({ state, layout, caps, face, reference, assignPane, shootId }: ReviewViewProps) {
  const snap = state.snapshot;
  const item = currentItem(state);
  const participant = item?.face.participant ? snap?.participants[item.face.participant] : undefined;
  const twoPerson = snap?.shoot.reviewersRequired === 2;
  const title = `Sitter review · ${snap?.shoot.id ?? shootId ?? ''} · ${state.reviewer}${twoPerson ? ' · two-person' : ''}`;
  const pos = queuePosition(state);
  const where = snap ? `${state.query ? `filter "${state.query}" · ` : ''}${pos.at} / ${pos.of} · ` : '';
  const left = `${state.pending ? `saving ${state.pending}… ` : ''}${where}${state.left} left`;
  const notice: Notice | null = state.waiting
    ? { tone: 'warning', text: state.waiting }
    : state.busy
      ? { tone: 'info', text: `${state.busy}…` }
      : state.notice;

  let body: React.ReactNode;
  if (state.mode.kind === 'help') body = <Help width={layout.width} />;
  else if (!snap)
    body = <Text dimColor>{state.loading ? 'Loading the review queue…' : 'The queue could not be loaded.'}</Text>;
  else if (!item && state.query)
    body = (
      <Box flexDirection="column">
        <Text bold>No proposal left matches "{safeText(state.query)}".</Text>
        <Text dimColor>/ change the filter · Esc clear it · q quit</Text>
      </Box>
    );
  else if (!item)
    body = (
      <Box flexDirection="column">
        <Text bold>
          {state.loading ? 'Looking for new proposals…' : `Nothing left to review in shoot ${snap.shoot.id}.`}
        </Text>
        <Text dimColor>r look again (a scan may be adding proposals) · u undo · q quit</Text>
      </Box>
    );
  else {
    const side =
      state.mode.kind === 'assign' && assignPane ? (
        <Box paddingLeft={1}>{assignPane}</Box>
      ) : state.mode.kind.startsWith('bulk') ? (
        <BulkPanel state={state} width={layout.detailsWidth} />
      ) : (
        <Details state={state} item={item} participant={participant} width={layout.detailsWidth} />
      );
    body = (
      <Box>
        {layout.pictureCols > 0 ? (
          <Box>
            <Picture slot={face} cols={layout.pictureCols} rows={layout.pictureRows} caption="face" caps={caps} />
            <Text> </Text>
            {layout.showReference ? (
              <>
                <Picture
                  slot={reference}
                  cols={layout.pictureCols}
                  rows={layout.pictureRows}
                  caption="reference photo"
                  caps={caps}
                />
                <Text> </Text>
              </>
            ) : null}
          </Box>
        ) : null}
        {side}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={layout.width}>
      <Box width={layout.width}>
        <Box flexGrow={1}>
          <Text bold wrap="truncate-end">
            {title}
          </Text>
        </Box>
        <Text color="cyan"> {left}</Text>
      </Box>
      <Box height={layout.bodyRows} overflow="hidden" flexDirection="column">
        {body}
      </Box>
      <Box height={2} width={layout.width} overflow="hidden">
        {state.mode.kind === 'filter' ? (
          <Text wrap="truncate-end">
            /{safeText(state.mode.input)}
            <Text inverse> </Text>
            <Text dimColor> participant, file or state · Enter keep · Esc clear</Text>
          </Text>
        ) : notice ? (
          <Text color={TONE[notice.tone]} wrap="wrap">
            {notice.text}
          </Text>
        ) : null}
      </Box>
      <Box width={layout.width}>
        <Text dimColor wrap="truncate-end">
          y/⏎ confirm · n reject · a assign · s skip · u undo · b bulk · ? help · q quit
        </Text>
      </Box>
    </Box>
  );
}
