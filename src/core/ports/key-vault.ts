/**
 * Encryption of biometric data at rest (rule 4, GDPR Art. 32). Each shoot has its own data key so
 * that destroying it shreds every embedding of that shoot, even in backups.
 */
export interface KeyVault {
  encrypt(shootId: string, plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(shootId: string, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** Crypto-shredding: the shoot's key is gone, so is everything encrypted with it. */
  destroyShootKey(shootId: string): Promise<void>;
}
