import type { SealBinding } from '../domain/seal-binding.js';

/**
 * Encryption of biometric data at rest (rule 4, GDPR Art. 32). Each shoot has its own data key so
 * that destroying it shreds every embedding of that shoot, even in backups. Every ciphertext is bound
 * to its place (`SealBinding`, authenticated as associated data): opened anywhere else it fails with
 * CIPHERTEXT_INVALID.
 */
export interface KeyVault {
  encrypt(binding: SealBinding, plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(binding: SealBinding, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** whether a stored blob predates bindings (format 1) and must be re-sealed with `upgrade` */
  isLegacy(ciphertext: Uint8Array): boolean;
  /** opens a format-1 blob (no associated data) and seals it again bound to `binding` */
  upgrade(binding: SealBinding, legacy: Uint8Array): Promise<Uint8Array>;
  /** Crypto-shredding: the shoot's key is gone, so is everything encrypted with it. */
  destroyShootKey(shootId: string): Promise<void>;
}
