/** XMP sidecar building and merging (used by the local connector; reusable by any connector that writes XMP). */
export { pushXmp, clearXmp } from './sitter-xmp.js';
export { toStoredBox, storedSize } from '../../core/domain/orientation.js';
export { NS } from './namespaces.js';
