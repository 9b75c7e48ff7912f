import { randomBytes } from 'node:crypto';
import { SitterError } from '../domain/errors.js';
import { ShootKeyEntity } from './entities.js';
import { closedShootKeyError, open, seal, WrappedKeyVault } from './key-vault-crypto.js';
import type { SitterOrm } from './orm.js';

/** A wrapped data key is bound to its shoot: a row copied onto another shoot's does not unwrap. */
const FORMAT_WRAPPED_KEY = 2;
const wrapBinding = (shootId: string) => Buffer.from(`sitter shoot key v1\0${shootId}`, 'utf8');

/**
 * Per-shoot data keys of a team workspace, in the database (`shoot_key`), each wrapped (AES-256-GCM)
 * by the master key, which never enters the database: each machine holds it in a 0600 file or its
 * environment. A copy of the database alone (a dump, a backup, a replica) decrypts nothing. Destroying
 * a shoot's key empties its row (kept, so no new key is ever made for a closed shoot), then vacuums
 * the table so the wrapped key does not linger in dead row versions.
 *
 * Reads and writes run on their own connection, outside the caller's unit of work, as the file vault
 * writes its files: a key made for a unit of work that then rolls back is only an unused key.
 */
export class DatabaseKeyVault extends WrappedKeyVault {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly masterKey: Buffer,
    private readonly orm: SitterOrm,
  ) {
    super();
  }

  protected async dataKey(shootId: string, create: boolean): Promise<Buffer> {
    const em = this.orm.em.fork();
    let row = await em.findOne(ShootKeyEntity, { shootId });
    if (row?.destroyedAt) {
      this.cache.delete(shootId);
      throw closedShootKeyError(shootId);
    }
    const cached = this.cache.get(shootId);
    if (cached && row) return cached;
    if (!row && create) {
      // Two machines may enrol the same shoot at once: the first row wins, and both use it.
      const wrapped = seal(this.masterKey, randomBytes(32), FORMAT_WRAPPED_KEY, wrapBinding(shootId));
      await em
        .createQueryBuilder(ShootKeyEntity)
        .insert({ shootId, wrapped, createdAt: new Date(), destroyedAt: null })
        .onConflict('shootId')
        .ignore()
        .execute();
      row = await em.fork().findOne(ShootKeyEntity, { shootId });
    }
    if (!row?.wrapped) {
      throw new SitterError(
        'KEY_DESTROYED',
        `The data key of shoot "${shootId}" is missing from the team database; Sitter did not destroy it, so it was deleted outside Sitter.`,
        'Restore the database from a backup that holds it (pg_restore; docs/team.md, "Backup and restore"). If no ' +
          "backup has it, this shoot's templates and face data cannot be read again: tell your DPO, then start over in a new shoot.",
      );
    }
    let key: Buffer;
    try {
      key = open(this.masterKey, row.wrapped, FORMAT_WRAPPED_KEY, wrapBinding(shootId));
    } catch (cause) {
      throw new SitterError(
        'KEY_UNREADABLE',
        `The data key of shoot "${shootId}" cannot be unwrapped with this machine's master key.`,
        'The master key given here is not the one this team database was made with, or the key row was altered: ' +
          'use the workspace key (docs/team.md, "Keys"), or restore the database from a backup.',
        undefined,
        { cause },
      );
    }
    this.cache.set(shootId, key);
    return key;
  }

  async destroyShootKey(shootId: string): Promise<void> {
    const em = this.orm.em.fork();
    const now = new Date();
    await em
      .createQueryBuilder(ShootKeyEntity)
      .insert({ shootId, wrapped: null, createdAt: now, destroyedAt: now })
      .onConflict('shootId')
      .merge({ wrapped: null, destroyedAt: now })
      .execute();
    this.cache.delete(shootId);
    try {
      // Outside any transaction, as VACUUM must be: the old row version holding the wrapped key goes now,
      // not at autovacuum's next pass. Only the table's owner may; for another role it is a warning.
      await em.getConnection().execute('vacuum "shoot_key"');
    } catch {
      // Best effort: the wrapped key is useless without the master key, and autovacuum removes it later.
    }
  }
}
