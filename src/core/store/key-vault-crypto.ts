import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SitterError } from '../domain/errors.js';
import { bindingBytes, describeBinding, type SealBinding } from '../domain/seal-binding.js';
import type { KeyVault } from '../ports/key-vault.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** format 1: no associated data (before bindings); format 2: bound to its place */
export const FORMAT_UNBOUND = 1;
const FORMAT_BOUND = 2;

export function seal(key: Buffer, plaintext: Uint8Array, format: number, aad?: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The format byte is authenticated too, so a bound blob cannot be relabelled as an unbound one.
  if (aad) cipher.setAAD(Buffer.concat([Buffer.from([format]), aad]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([format]), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, sealed: Uint8Array, format: number, aad?: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf[0] !== format) throw new Error(`ciphertext format ${buf[0]}, expected ${format}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  if (aad) decipher.setAAD(Buffer.concat([Buffer.from([format]), aad]));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** The shoot's key was destroyed by Sitter when the shoot closed (crypto-shredding). */
export function closedShootKeyError(shootId: string): SitterError {
  return new SitterError(
    'KEY_DESTROYED',
    `The data key of shoot "${shootId}" was destroyed when the shoot closed: nothing can be encrypted or decrypted for it any more.`,
    'Biometric processing of a closed shoot is over; create a new shoot if new processing is needed and lawful.',
  );
}

/**
 * What every key vault does alike: AES-256-GCM under each shoot's data key, every ciphertext bound to
 * its place. Where the wrapped data keys are kept (files beside a SQLite workspace, rows of a team
 * workspace's database) is the subclass's: `dataKey` unwraps one with the master key, or makes it.
 */
export abstract class WrappedKeyVault implements KeyVault {
  /** the shoot's data key; `create`: make and store one if the shoot has none yet */
  protected abstract dataKey(shootId: string, create: boolean): Promise<Buffer>;

  abstract destroyShootKey(shootId: string): Promise<void>;

  async encrypt(binding: SealBinding, plaintext: Uint8Array): Promise<Uint8Array> {
    return seal(await this.dataKey(binding.shootId, true), plaintext, FORMAT_BOUND, bindingBytes(binding));
  }

  async decrypt(binding: SealBinding, ciphertext: Uint8Array): Promise<Uint8Array> {
    const key = await this.dataKey(binding.shootId, false);
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
    const key = await this.dataKey(binding.shootId, false);
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
}
