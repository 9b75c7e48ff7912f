import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { bindingBytes, describeBinding, type SealBinding } from '../domain/seal-binding.js';
import type { KeyVault } from '../ports/key-vault.js';
import { writeFileAtomic } from './atomic-file.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** format 1: no associated data (before bindings); format 2: bound to its place */
const FORMAT_UNBOUND = 1;
const FORMAT_BOUND = 2;

function seal(key: Buffer, plaintext: Uint8Array, format: number, aad?: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The format byte is authenticated too, so a bound blob cannot be relabelled as an unbound one.
  if (aad) cipher.setAAD(Buffer.concat([Buffer.from([format]), aad]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([format]), iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Uint8Array, format: number, aad?: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf[0] !== format) throw new Error(`ciphertext format ${buf[0]}, expected ${format}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) decipher.setAAD(Buffer.concat([Buffer.from([format]), aad]));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/**
 * Per-shoot data keys in files under the workspace, each wrapped (AES-256-GCM) by the workspace
 * master key. Destroying a shoot's key file crypto-shreds its embeddings wherever copies of the
 * database went. Files are mode 0600 in a 0700 folder, written whole or not at all.
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
      throw new SitterError(
        'KEY_DESTROYED',
        `The data key of shoot "${shootId}" was destroyed when the shoot closed: nothing can be encrypted or decrypted for it any more.`,
        'Biometric processing of a closed shoot is over; create a new shoot if new processing is needed and lawful.',
      );
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
        return this.dataKey(shootId, false);
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

  async encrypt(binding: SealBinding, plaintext: Uint8Array): Promise<Uint8Array> {
    return seal(this.dataKey(binding.shootId, true), plaintext, FORMAT_BOUND, bindingBytes(binding));
  }

  async decrypt(binding: SealBinding, ciphertext: Uint8Array): Promise<Uint8Array> {
    const key = this.dataKey(binding.shootId, false);
    if (this.isLegacy(ciphertext)) {
      throw new SitterError(
        'CIPHERTEXT_NOT_UPGRADED',
        `The ${describeBinding(binding)} of shoot "${binding.shootId}" is still in the old unbound format. Nobody is named on its strength.`,
        'Open the workspace once with write access (any command such as `sitter shoot list`): Sitter ' +
          're-seals old data bound to its place, on the audit record. If it stays, the blob could not be ' +
          'decrypted to be re-sealed (altered): restore the workspace from a backup.',
      );
    }
    try {
      return open(key, ciphertext, FORMAT_BOUND, bindingBytes(binding));
    } catch (cause) {
      throw new SitterError(
        'CIPHERTEXT_INVALID',
        `The stored ${describeBinding(binding)} of shoot "${binding.shootId}" cannot be decrypted: it ` +
          `was altered, moved from another row, or encrypted with another key. Nobody is named on its strength.`,
        'Run `sitter audit verify`, and restore the workspace (database and keys together) from a ' +
          "backup; or delete the shoot's templates by re-enrolling after restoring.",
        undefined,
        { cause },
      );
    }
  }

  isLegacy(ciphertext: Uint8Array): boolean {
    return ciphertext[0] === FORMAT_UNBOUND;
  }

  async upgrade(binding: SealBinding, legacy: Uint8Array): Promise<Uint8Array> {
    const key = this.dataKey(binding.shootId, false);
    let plain: Buffer;
    try {
      plain = open(key, legacy, FORMAT_UNBOUND);
    } catch (cause) {
      throw new SitterError(
        'CIPHERTEXT_INVALID',
        `The stored ${describeBinding(binding)} of shoot "${binding.shootId}" cannot be decrypted to be re-sealed.`,
        'Run `sitter audit verify`, and restore the workspace (database and keys together) from a backup.',
        undefined,
        { cause },
      );
    }
    const bound = seal(key, plain, FORMAT_BOUND, bindingBytes(binding));
    plain.fill(0);
    return bound;
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
