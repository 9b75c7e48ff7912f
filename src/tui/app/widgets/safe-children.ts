import { Children, type ReactNode } from 'react';
import { safeText } from '../../format/safe-text.js';

export { safeText };

/** The text children of a line made safe to draw (see safeText); elements pass through as they are. */
export function safeChildren(children: ReactNode): ReactNode {
  return Children.map(children, (c) => (typeof c === 'string' ? safeText(c) : c));
}
