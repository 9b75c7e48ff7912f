/** An RGB image in memory: `data` holds width * height * 3 bytes, row by row. Never written to disk. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What an image slot of the screen shows: still loading, the picture, or why there is none. */
export type ImageSlot =
  { kind: 'loading' } | { kind: 'ready'; pixels: Pixels; png?: Uint8Array } | { kind: 'missing'; reason: string };
