export {
  parseConsentFile,
  type ConsentFileFormat,
  type ConsentFileInput,
  type ConsentImport,
  type ConsentRow,
} from './parse.js';
export { formatProblem, CONSENT_FILE_INVALID, type ConsentProblem } from './problems.js';
export { CONSENT_COLUMNS, OPTIONAL_COLUMNS, type ConsentColumn } from './values.js';
export { lexicalPathProblem, normaliseRelativePath, pathSegments, type LexicalPathProblem } from './paths.js';
export type { ConsentFileAccess, ResolveFailure, ResolveResult } from '../ports/consent-files.js';
