import type { DOMElement } from 'ink';
import { createContext, type RefObject } from 'react';
import type { ImageProtocol } from '../terminal/capabilities.js';
import type { Pixels } from '../terminal/pixels.js';
import { atCell, itermImage, kittyDeleteAll, kittyImage } from '../terminal/protocols.js';
import { sixelImage } from '../terminal/sixel.js';

interface Placement {
  ref: RefObject<DOMElement | null>;
  /** the protocol's sequence for this picture, made once (a sixel encoding is not free) */
  sequence: (id: number) => string;
  id: number;
}

/** What a protocol draws from: kitty and iTerm2 take the PNG, sixel the pixels. */
export interface OverlayImage {
  png?: Uint8Array | undefined;
  pixels: Pixels;
}

/** The cell where an Ink element starts, from Yoga's computed layout (the frame starts at the top-left). */
function cellOf(el: DOMElement): { row: number; col: number } | null {
  let row = 0;
  let col = 0;
  for (let node: DOMElement | undefined = el; node; node = node.parentNode) {
    if (!node.yogaNode) continue;
    row += node.yogaNode.getComputedTop();
    col += node.yogaNode.getComputedLeft();
  }
  return Number.isFinite(row) && Number.isFinite(col) ? { row: Math.round(row), col: Math.round(col) } : null;
}

/**
 * Draws kitty / iTerm2 / sixel images over empty boxes of Ink's frame. Ink strips such sequences from its
 * text, so they are written after each frame, at the box's cell, with the cursor saved and restored.
 * Used only on a full-screen frame (the alternate screen), where the frame's top-left is the screen's.
 */
export class ImageOverlay {
  private placements = new Set<Placement>();
  private nextId = 1;
  private lastKey = '';

  constructor(
    private readonly protocol: Exclude<ImageProtocol, 'none'>,
    private readonly write: (s: string) => void,
  ) {}

  /** Whether this picture can be drawn with the overlay's protocol. */
  accepts(image: OverlayImage): boolean {
    return this.protocol === 'sixel' || image.png !== undefined;
  }

  place(ref: RefObject<DOMElement | null>, image: OverlayImage, cols: number, rows: number): () => void {
    let sequence: (id: number) => string;
    if (this.protocol === 'sixel') {
      const six = sixelImage(image.pixels);
      sequence = () => six;
    } else {
      const png = image.png ?? new Uint8Array();
      sequence =
        this.protocol === 'kitty' ? (id) => kittyImage(png, cols, rows, id) : () => itermImage(png, cols, rows);
    }
    const p: Placement = { ref, sequence, id: this.nextId++ };
    this.placements.add(p);
    this.lastKey = '';
    // placed by an effect, after the frame: draw it now rather than on the next frame
    this.schedule();
    return () => {
      this.placements.delete(p);
      this.lastKey = '';
    };
  }

  private scheduled = false;

  /**
   * Draws the images once the current frame is out. Ink calls its onRender hook before it writes
   * the frame, so drawing there would let the frame's blank boxes paint over iTerm2 and sixel images.
   */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes the images at their boxes' cells (see schedule). */
  flush(): void {
    const parts: string[] = [];
    const keys: string[] = [];
    for (const p of this.placements) {
      const el = p.ref.current;
      const at = el ? cellOf(el) : null;
      if (!at) continue;
      keys.push(`${p.id}@${at.row},${at.col}`);
      parts.push(atCell(at.row, at.col, p.sequence(p.id)));
    }
    const key = keys.join('|');
    // Kitty keeps images on their own layer: redraw only when they moved. iTerm2 and sixel images
    // are cell content that Ink's redraw overwrites, so they are drawn again after every frame.
    if (this.protocol === 'kitty' && key === this.lastKey) return;
    this.lastKey = key;
    this.write((this.protocol === 'kitty' ? kittyDeleteAll() : '') + parts.join(''));
  }
}

export const OverlayContext = createContext<ImageOverlay | null>(null);
