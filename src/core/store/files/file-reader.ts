import { readFile } from 'node:fs/promises';
import { SitterError } from '../../domain/errors.js';
import type { FileReader } from '../../ports/files.js';

export const fsFileReader: FileReader = {
  async read(absolutePath: string): Promise<Uint8Array> {
    try {
      return await readFile(absolutePath);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? 'error';
      throw new SitterError(
        'FILE_UNREADABLE',
        `Cannot read ${absolutePath} (${code}).`,
        'Check that the file exists and that your user may read it, then try again.',
        undefined,
        { cause },
      );
    }
  },
};
