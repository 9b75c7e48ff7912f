import { isSitterError } from '../../core/domain/errors.js';
import { safeText } from '../format/safe-text.js';

/** One line for the screen: what went wrong, what to do, and the stable code (for support and tests). */
export function errorText(error: unknown): string {
  if (isSitterError(error)) return safeText(`${error.message}${error.hint ? ` ${error.hint}` : ''} [${error.code}]`);
  const message = error instanceof Error ? error.message : String(error);
  return `Sitter hit a bug: ${safeText(message)}. Nothing else was changed; please report it. [BUG]`;
}
