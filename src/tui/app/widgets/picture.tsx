import { Box, Text, type DOMElement } from 'ink';
import { useContext, useEffect, useMemo, useRef } from 'react';
import type { TerminalCaps } from '../terminal/capabilities.js';
import { drawImage } from '../terminal/halfblock.js';
import type { ImageSlot } from '../terminal/pixels.js';
import { OverlayContext } from '../images/overlay.js';

export interface PictureProps {
  slot: ImageSlot | null;
  /** inner size in character cells */
  cols: number;
  rows: number;
  caption: string;
  caps: TerminalCaps;
}

/** Splits a reason into lines that fit the box, so nothing wraps past its border. */
function fitText(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const w = word.length > width ? `${word.slice(0, Math.max(1, width - 1))}…` : word;
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  if (out.length > lines) return [...out.slice(0, Math.max(0, lines - 1)), '…'];
  return out;
}

/**
 * A face or a reference photo in a bordered box of fixed size: half-block art, or a placeholder
 * saying why there is no picture (the asset vanished, cannot be decoded). With the kitty, iTerm2 or sixel
 * protocol the box stays empty and the image is drawn over it after each frame.
 */
export function Picture({ slot, cols, rows, caption, caps }: PictureProps) {
  const overlay = useContext(OverlayContext);
  const ref = useRef<DOMElement>(null);
  const useProtocol = caps.protocol !== 'none' && overlay !== null && slot?.kind === 'ready' && overlay.accepts(slot);
  const lines = useMemo(
    () => (slot?.kind === 'ready' && !useProtocol ? drawImage(slot.pixels, caps.colour) : null),
    [slot, caps.colour, useProtocol],
  );
  useEffect(() => {
    if (!overlay || !useProtocol || slot?.kind !== 'ready') return;
    return overlay.place(ref, slot, cols, rows);
  }, [overlay, useProtocol, slot, cols, rows]);

  let body: React.ReactNode;
  if (!slot || slot.kind === 'loading') {
    body = (
      <Box width={cols} height={rows} alignItems="center" justifyContent="center">
        <Text dimColor>{slot ? 'loading…' : ''}</Text>
      </Box>
    );
  } else if (slot.kind === 'missing') {
    body = (
      <Box width={cols} height={rows} flexDirection="column" justifyContent="center">
        <Text color="yellow" wrap="truncate-end">
          {fitText('no picture', cols, 1)[0]}
        </Text>
        {fitText(slot.reason, cols, rows - 1).map((l, i) => (
          <Text key={i} dimColor wrap="truncate-end">
            {l}
          </Text>
        ))}
      </Box>
    );
  } else if (lines) {
    body = (
      <Box width={cols} height={rows} flexDirection="column">
        {lines.slice(0, rows).map((l, i) => (
          <Text key={i} wrap="truncate">
            {l}
          </Text>
        ))}
      </Box>
    );
  } else {
    body = <Box ref={ref} width={cols} height={rows} />;
  }
  return (
    <Box flexDirection="column" width={cols + 2}>
      <Box borderStyle="single" borderDimColor width={cols + 2} height={rows + 2}>
        {body}
      </Box>
      <Text dimColor wrap="truncate-end">
        {caption}
      </Text>
    </Box>
  );
}
