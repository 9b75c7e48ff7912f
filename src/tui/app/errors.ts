import { isSitterError } from '../../core/domain/errors.js';

/** One line for the screen: what went wrong, what to do, and the stable code (for support and tests). */
export function errorText(error: unknown): string {
  if (isSitterError(error)) return `${error.message}${error.hint ? ` ${error.hint}` : ''} [${error.code}]`;
  const message = error instanceof Error ? error.message : String(error);
  return `Sitter hit a bug: ${message}. Nothing else was changed; please report it. [BUG]`;
}
