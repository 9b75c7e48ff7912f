import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { closedShootKeyError, FORMAT_UNBOUND, open, seal, WrappedKeyVault } from './key-vault-crypto.js';

/**
 * Per-shoot data keys in files under the workspace, each wrapped (AES-256-GCM) by the workspace
 * master key. Destroying a shoot's key file crypto-shreds its embeddings wherever copies of the
 * database went. Files are mode 0600 in a 0700 folder, written whole or not at all.
 */
export class FileKeyVault extends WrappedKeyVault {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly masterKey: Buffer,
    private readonly keysDir: string,
  ) {
    super();
  }

  private keyPath(shootId: string): string {
    return join(this.keysDir, `${encodeURIComponent(shootId)}.key`);
  }

  /** Left where a destroyed key was, so that no new key is ever made for a closed shoot. */
  private tombstonePath(shootId: string): string {
    return join(this.keysDir, `${encodeURIComponent(shootId)}.destroyed`);
  }

  protected async dataKey(shootId: string, create: boolean): Promise<Buffer> {
    return this.dataKeyNow(shootId, create);
  }

  private dataKeyNow(shootId: string, create: boolean): Buffer {
    if (existsSync(this.tombstonePath(shootId))) {
      this.cache.delete(shootId);
      throw closedShootKeyError(shootId);
    }
    const cached = this.cache.get(shootId);
    if (cached) return cached;
    const path = this.keyPath(shootId);
    // A wrapped key is never empty: an empty file is what older versions left when the disk was full.
    if (existsSync(path) && statSync(path).size === 0) rmSync(path);
    let key: Buffer;
    if (existsSync(path)) {
      try {
        key = open(this.masterKey, readFileSync(path), FORMAT_UNBOUND);
      } catch (cause) {
        // Tampered, truncated or foreign key files are the user's to restore, not a bug.
        throw new SitterError(
          'KEY_UNREADABLE',
          `The data key of shoot "${shootId}" cannot be unwrapped.`,
          'The workspace master key does not match this key file: restore both from the same backup.',
          undefined,
          { cause },
        );
      }
    } else if (create) {
      key = randomBytes(32);
      mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
      try {
        writeFileAtomic(path, seal(this.masterKey, key, FORMAT_UNBOUND), { mode: 0o600, exclusive: true });
      } catch (cause) {
        // Another process made the key first: use that one.
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
        return this.dataKeyNow(shootId, false);
      }
    } else {
      // No tombstone: Sitter did not destroy this key, so enrolling again cannot help (the stored
      // templates and embeddings stay encrypted under the lost key). Only the backup can.
      throw new SitterError(
        'KEY_DESTROYED',
        `The data key of shoot "${shootId}" is missing (${path}); Sitter did not destroy it, so it was deleted or moved outside Sitter.`,
        `Restore that file from the backup of this workspace (the keys folder and sitter.db from the ` +
          `same backup). If no backup has it, this shoot's templates and face data cannot be read again: ` +
          `tell your DPO, then start over in a new shoot (sitter shoot create, consent import, enrol, scan).`,
      );
    }
    this.cache.set(shootId, key);
    return key;
  }

  async destroyShootKey(shootId: string): Promise<void> {
    mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.tombstonePath(shootId), Buffer.from(`destroyed ${new Date().toISOString()}\n`), {
      mode: 0o600,
      exclusive: false,
    });
    const path = this.keyPath(shootId);
    if (existsSync(path)) {
      // Overwrite before unlinking so the wrapped key is not left in the freed blocks of simple filesystems.
      writeFileSync(path, randomBytes(64));
      rmSync(path);
    }
    this.cache.delete(shootId);
  }
}
