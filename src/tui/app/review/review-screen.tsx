import { useEffect, useMemo } from 'react';
import type { QueueItem } from '../../../core/services/matches-service.js';
import type { ReviewParticipant } from '../../../core/services/review-info.js';
import { PictureCache } from '../images/cache.js';
import { usePicture } from '../images/use-picture.js';
import type { TerminalCaps } from '../terminal/capabilities.js';
import { useTerminalSize, type TerminalSize } from '../terminal/use-terminal-size.js';
import { Picker } from '../widgets/picker.js';
import type { PickerOption } from '../widgets/picker-state.js';
import { usePicker } from '../widgets/use-picker.js';
import { picturePixels, reviewLayout } from './review-layout.js';
import { currentItem, upcoming, type ReviewEvent, type ReviewState } from './review-state.js';
import { ReviewView } from './review-view.js';
import { useReview, type UseReviewProps } from './use-review.js';

export interface ReviewScreenProps extends UseReviewProps {
  caps: TerminalCaps;
  /** fixed size for tests; by default the terminal's, updated on resize */
  size?: TerminalSize;
  /** shared across screens so pictures survive navigation */
  cache?: PictureCache;
}

/** How many upcoming faces are prepared in advance, so the next one is drawn on the key press. */
const PREFETCH = 3;

function AssignPane({
  options,
  onPick,
  onCancel,
  height,
  width,
}: {
  options: PickerOption[];
  onPick: (o: PickerOption) => void;
  onCancel: () => void;
  height: number;
  width: number;
}) {
  const picker = usePicker({ options, onPick, onCancel });
  return <Picker state={picker} title="Assign to (valid biometric consent only)" height={height} width={width} />;
}

const faceKey = (item: QueueItem, cols: number, rows: number, caps: TerminalCaps) =>
  `face:${item.face.face}:${cols}x${rows}:${caps.colour}:${caps.protocol}`;
const refKey = (p: ReviewParticipant, cols: number, rows: number, caps: TerminalCaps) =>
  `ref:${p.ref}:${p.referencePhotoSha256 ?? ''}:${cols}x${rows}:${caps.colour}:${caps.protocol}`;

/** The review queue screen: the key hook, the pictures, and the view. */
export function ReviewScreen(props: ReviewScreenProps) {
  const { gateway, shootId, caps } = props;
  const size = useTerminalSize(props.size);
  const layout = reviewLayout(size.columns, size.rows);
  const cache = useMemo(() => props.cache ?? new PictureCache(), [props.cache]);
  const { state, dispatch, decide } = useReview(props);
  const item = currentItem(state);
  const participant = item?.face.participant ? state.snapshot?.participants[item.face.participant] : undefined;
  const { pictureCols: cols, pictureRows: rows } = layout;
  const px = picturePixels(cols, rows, caps.protocol, caps.cell);

  const loadFace = (it: QueueItem) => () => gateway.faceImage(shootId, it, px.w, px.h);
  const loadRef = (p: ReviewParticipant) => () => gateway.referenceImage(shootId, p, px.w, px.h);
  const face = usePicture(
    cache,
    item && cols > 0 ? faceKey(item, cols, rows, caps) : null,
    item ? loadFace(item) : () => Promise.reject(new Error('no face')),
  );
  const reference = usePicture(
    cache,
    participant && cols > 0 && layout.showReference ? refKey(participant, cols, rows, caps) : null,
    participant ? loadRef(participant) : () => Promise.reject(new Error('no participant')),
  );

  // Prepare the next faces (and their reference photos) while the reviewer looks at this one.
  useEffect(() => {
    if (cols === 0) return;
    for (const next of upcoming(state, PREFETCH)) {
      void cache.load(faceKey(next, cols, rows, caps), loadFace(next));
      const p = next.face.participant ? state.snapshot?.participants[next.face.participant] : undefined;
      if (p && layout.showReference) void cache.load(refKey(p, cols, rows, caps), loadRef(p));
    }
  }, [state.cursor, state.snapshot, cols, rows, caps]);

  const options = useMemo<PickerOption[]>(
    () => (state.snapshot?.eligible ?? []).map((p) => ({ value: p.ref, label: p.name })),
    [state.snapshot],
  );
  const assignPane =
    state.mode.kind === 'assign' ? (
      <AssignPane
        options={options}
        height={layout.bodyRows}
        width={Math.max(10, layout.detailsWidth - 1)}
        onPick={(o) => decide({ kind: 'assign', participantRef: o.value })}
        onCancel={() => dispatch({ type: 'mode', mode: { kind: 'browse' } } satisfies ReviewEvent)}
      />
    ) : undefined;

  return (
    <ReviewView
      state={state as ReviewState}
      shootId={shootId}
      layout={layout}
      caps={caps}
      face={face}
      reference={reference}
      assignPane={assignPane}
    />
  );
}
