import { isSitterError } from '../domain/errors.js';
import { faceBinding, templateBinding, type SealBinding } from '../domain/seal-binding.js';
import type { KeyVault } from '../ports/key-vault.js';
import type { Store } from '../ports/store.js';

export interface UpgradeCounts {
  templates: number;
  faces: number;
  /** blobs of shoots whose key is gone, or altered ones: unreadable either way, left as they are
   * (they fail loudly where they are used; one bad blob must not lock the whole workspace) */
  skipped: number;
}

/**
 * Re-seals format-1 ciphertexts (encrypted before they were bound to their place) as format 2, bound
 * to the row they are on now, in one unit of work recorded on the audit chain. Runs once, when a
 * workspace of an older format is opened with write access.
 */
export async function resealUnboundCiphertexts(store: Store, keyVault: KeyVault, now: Date): Promise<UpgradeCounts> {
  return store.transaction(async (uow) => {
    const counts: UpgradeCounts = { templates: 0, faces: 0, skipped: 0 };
    const reseal = async (binding: SealBinding, blob: Uint8Array): Promise<Uint8Array | null> => {
      try {
        return await keyVault.upgrade(binding, blob);
      } catch (error) {
        if (isSitterError(error) && ['KEY_DESTROYED', 'CIPHERTEXT_INVALID'].includes(error.code)) {
          counts.skipped += 1;
          return null;
        }
        throw error;
      }
    };
    for (const shoot of await uow.shoots.list()) {
      for (const t of await uow.templates.listByShoot(shoot.id)) {
        if (!keyVault.isLegacy(t.embedding)) continue;
        const bound = await reseal(templateBinding(t), t.embedding);
        if (!bound) continue;
        t.embedding = bound;
        counts.templates += 1;
      }
      for (const f of await uow.faces.listByShoot(shoot.id)) {
        if (!f.embedding || !f.modelDigest || !keyVault.isLegacy(f.embedding)) continue;
        const bound = await reseal(faceBinding({ ...f, modelDigest: f.modelDigest }), f.embedding);
        if (!bound) continue;
        f.embedding = bound;
        counts.faces += 1;
      }
    }
    await uow.audit.append(
      {
        actor: 'sitter',
        action: 'workspace.ciphertexts-bound',
        shootId: null,
        subject: null,
        details: { ...counts, format: 2 },
      },
      now,
    );
    return counts;
  });
}
