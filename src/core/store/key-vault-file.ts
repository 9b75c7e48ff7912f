import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SitterError } from '../domain/errors.js';
import type { KeyVault } from '../ports/key-vault.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 1;

function seal(key: Buffer, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf[0] !== FORMAT) throw new Error(`unknown ciphertext format ${buf[0]}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/**
 * Per-shoot data keys in files under the workspace, each wrapped (AES-256-GCM) by the workspace
 * master key. Destroying a shoot's key file crypto-shreds its embeddings wherever copies of the
 * database went. Files are mode 0600 in a 0700 folder.
 */
export class FileKeyVault implements KeyVault {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly masterKey: Buffer,
    private readonly keysDir: string,
  ) {}

  private keyPath(shootId: string): string {
    return join(this.keysDir, `${encodeURIComponent(shootId)}.key`);
  }

  /** Left where a destroyed key was, so that no new key is ever made for a closed shoot. */
  private tombstonePath(shootId: string): string {
    return join(this.keysDir, `${encodeURIComponent(shootId)}.destroyed`);
  }

  private dataKey(shootId: string, create: boolean): Buffer {
    if (existsSync(this.tombstonePath(shootId))) {
      this.cache.delete(shootId);
      throw new SitterError('KEY_DESTROYED', `The data key of shoot "${shootId}" was destroyed when the shoot closed: nothing can be encrypted or decrypted for it any more.`, 'Biometric processing of a closed shoot is over; create a new shoot if new processing is needed and lawful.');
    }
    const cached = this.cache.get(shootId);
    if (cached) return cached;
    const path = this.keyPath(shootId);
    let key: Buffer;
    if (existsSync(path)) {
      try {
        key = open(this.masterKey, readFileSync(path));
      } catch (cause) {
        // Tampered, truncated or foreign key files are the user's to restore, not a bug.
        throw new SitterError('KEY_UNREADABLE', `The data key of shoot "${shootId}" cannot be unwrapped.`, 'The workspace master key does not match this key file: restore both from the same backup.', undefined, { cause });
      }
    } else if (create) {
      key = randomBytes(32);
      mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
      try {
        writeFileSync(path, seal(this.masterKey, key), { mode: 0o600, flag: 'wx' });
      } catch (cause) {
        // Another process made the key first: use that one.
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
        return this.dataKey(shootId, false);
      }
    } else {
      // No tombstone: Sitter did not destroy this key, so enrolling again cannot help (the stored
      // templates and embeddings stay encrypted under the lost key). Only the backup can.
      throw new SitterError(
        'KEY_DESTROYED',
        `The data key of shoot "${shootId}" is missing (${path}); Sitter did not destroy it, so it was deleted or moved outside Sitter.`,
        `Restore that file from the backup of this workspace (the keys folder and sitter.db from the same backup). If no backup has it, this shoot's templates and face data cannot be read again: tell your DPO, then start over in a new shoot (sitter shoot create, consent import, enrol, scan).`,
      );
    }
    this.cache.set(shootId, key);
    return key;
  }

  async encrypt(shootId: string, plaintext: Uint8Array): Promise<Uint8Array> {
    return seal(this.dataKey(shootId, true), plaintext);
  }

  async decrypt(shootId: string, ciphertext: Uint8Array): Promise<Uint8Array> {
    try {
      return open(this.dataKey(shootId, false), ciphertext);
    } catch (cause) {
      if (cause instanceof SitterError) throw cause;
      throw new SitterError('CIPHERTEXT_INVALID', `Stored biometric data of shoot "${shootId}" cannot be decrypted: it was altered, or encrypted with another key.`, 'Run `sitter audit verify`, and restore the workspace (database and keys together) from a backup.', undefined, { cause });
    }
  }

  async destroyShootKey(shootId: string): Promise<void> {
    mkdirSync(this.keysDir, { recursive: true, mode: 0o700 });
    writeFileSync(this.tombstonePath(shootId), `destroyed ${new Date().toISOString()}\n`, { mode: 0o600 });
    const path = this.keyPath(shootId);
    if (existsSync(path)) {
      // Overwrite before unlinking so the wrapped key is not left in the freed blocks of simple filesystems.
      writeFileSync(path, randomBytes(64));
      rmSync(path);
    }
    this.cache.delete(shootId);
  }
}
