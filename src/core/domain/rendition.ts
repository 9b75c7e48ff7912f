/**
 * Which bytes of an asset a hash was taken from, as the store keeps it (`Asset.rendition`): null for the
 * original, `max:<N>` for a rendition whose longest side is at most N pixels. The same shape as the
 * Connector port's `Rendition` (the domain imports no port, so it is spelt out here).
 */
export type RenditionSpec = 'original' | { maxDimension: number };

/** The stored form of a rendition: null for the original. */
export function renditionKey(rendition: RenditionSpec | undefined): string | null {
  return rendition === undefined || rendition === 'original' ? null : `max:${rendition.maxDimension}`;
}

/** The rendition a stored key names (the inverse of renditionKey); an unknown key reads as the original. */
export function renditionFromKey(key: string | null): RenditionSpec {
  const m = key === null ? null : /^max:(\d+)$/.exec(key);
  return m ? { maxDimension: Number(m[1]) } : 'original';
}
