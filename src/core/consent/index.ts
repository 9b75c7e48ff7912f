export {
  parseConsentFile,
  formatProblem,
  CONSENT_FILE_INVALID,
  type ConsentFileFormat,
  type ConsentFileInput,
  type ConsentImport,
  type ConsentProblem,
  type ConsentRow,
} from './parse.js';
export { CONSENT_COLUMNS, OPTIONAL_COLUMNS, type ConsentColumn } from './values.js';
export { lexicalPathProblem, normaliseRelativePath, pathSegments, type LexicalPathProblem } from './paths.js';
export type { ConsentFileAccess, ResolveFailure, ResolveResult } from '../ports/consent-files.js';
