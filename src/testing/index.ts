/**
 * `sitter/testing`: the connector contract suite and what a fixture needs to feed it, for connector
 * authors in their own repositories (`import { runConnectorContract } from 'sitter/testing'`). Needs
 * vitest, an optional peer dependency of the package. Sitter's own contract tests import the same suite.
 */
export {
  runConnectorContract,
  skippedChecks,
  type ContractOptions,
  type ContractSubject,
} from './connector-contract.js';
export { sampleImages, sampleImage, SAMPLE_IMAGE_SIZE, type SampleFormat } from './sample-images.js';
export { imageSize, type ImageSize } from './image-size.js';
