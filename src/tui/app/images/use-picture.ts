import { useEffect, useReducer } from 'react';
import type { ImageSlot } from '../terminal/pixels.js';
import type { PictureCache } from './cache.js';
import type { Picture } from './crops.js';

/** The slot for `key`: ready at once when the cache has it, else "loading" until it settles. */
export function usePicture(cache: PictureCache, key: string | null, loader: () => Promise<Picture>): ImageSlot | null {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!key || cache.settled(key)) return;
    let live = true;
    void cache.load(key, loader).then(() => live && bump());
    return () => {
      live = false;
    };
    // the loader is recreated each render; the key says what it loads
  }, [cache, key]);
  if (!key) return null;
  return cache.settled(key) ?? { kind: 'loading' };
}
