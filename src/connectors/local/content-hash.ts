/** `sha256:<hex>` of an asset's content, the form the connector contract compares. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export { contentHashOf as sha256Of } from '../../core/domain/content-hash.js';

/** Streams the file, so checking a large photo before a push does not hold it in memory. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
