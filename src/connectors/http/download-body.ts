/**
 * Reading a download's body without trusting its size: bytes are counted as they stream and the
 * stream is cut past the cap, so a server that lies in Content-Length, or sends none, or sends a
 * compressed body that inflates far beyond it, never fills the memory.
 */
import type { Readable } from 'node:stream';
import { SitterError } from '../../core/domain/errors.js';
import type { RequestContext } from './failures.js';

/**
 * The stream's bytes, at most `maxBytes`: past them the stream is destroyed and, when `strict`, the
 * answer is null (too large); when not strict, the first `maxBytes` are returned (an error excerpt).
 */
export async function readCapped(stream: Readable, maxBytes: number, strict: boolean): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      stream.destroy();
      if (strict) return null;
      chunks.push(chunk.subarray(0, chunk.byteLength - (total - maxBytes)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function tooLarge(ctx: RequestContext, maxBytes: number, declared?: number): SitterError {
  const size = declared === undefined ? `more than ${maxBytes} bytes` : `${declared} bytes`;
  return new SitterError(
    'ASSET_TOO_LARGE',
    `The ${ctx.connector} server sent ${size} for ${ctx.url}, over the limit of ${maxBytes}.`,
    'Raise the connector option maxDownloadBytes if this file is genuine.',
    { url: ctx.url, limit: maxBytes, ...(declared === undefined ? {} : { size: declared }) },
  );
}
