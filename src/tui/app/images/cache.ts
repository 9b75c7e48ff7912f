import type { ImageSlot } from '../terminal/pixels.js';
import type { Picture } from './crops.js';

/**
 * Pictures by key (face or participant, size, colour), least recently used dropped first. Settled
 * results are readable synchronously, so the next face appears in the same frame as the key press
 * once it has been prepared in advance. Memory only; nothing is written anywhere.
 */
export class PictureCache {
  private readonly pending = new Map<string, Promise<ImageSlot>>();
  private readonly settledSlots = new Map<string, ImageSlot>();

  constructor(private readonly capacity = 48) {}

  /** The picture if it is ready (or known to be missing), else undefined. */
  settled(key: string): ImageSlot | undefined {
    const slot = this.settledSlots.get(key);
    if (slot) {
      // refresh its place in the LRU order
      this.settledSlots.delete(key);
      this.settledSlots.set(key, slot);
    }
    return slot;
  }

  /** Starts loading (once per key) and resolves when settled; a failure becomes a "missing" slot with its reason. */
  load(key: string, loader: () => Promise<Picture>): Promise<ImageSlot> {
    const done = this.settledSlots.get(key);
    if (done) return Promise.resolve(done);
    let p = this.pending.get(key);
    if (!p) {
      p = loader().then(
        (pic): ImageSlot => ({ kind: 'ready', pixels: pic.pixels, ...(pic.png ? { png: pic.png } : {}) }),
        (error: unknown): ImageSlot => ({
          kind: 'missing',
          reason: error instanceof Error ? error.message : String(error),
        }),
      );
      this.pending.set(key, p);
      void p.then((slot) => {
        this.pending.delete(key);
        this.settledSlots.set(key, slot);
        while (this.settledSlots.size > this.capacity) {
          const oldest = this.settledSlots.keys().next().value;
          if (oldest === undefined) break;
          this.settledSlots.delete(oldest);
        }
      });
    }
    return p;
  }

  clear(): void {
    this.settledSlots.clear();
  }
}
