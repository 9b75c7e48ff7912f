// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering rules of docs/architecture.md, enforced at build time.
 * Exported so test/unit/boundaries.test.ts can prove they bite.
 */
export const coreForbiddenImports = {
  paths: [
    { name: 'ink', message: 'src/core is UI-free: render in src/tui.' },
    { name: 'react', message: 'src/core is UI-free: render in src/tui.' },
    { name: 'axios', message: 'src/core does no HTTP: talk to DAMs through a Connector in src/connectors.' },
    {
      name: 'fs',
      message:
        'src/core domain code does no I/O: use a port, implemented under src/core/adapters/store or src/core/adapters/engine.',
    },
    {
      name: 'node:fs',
      message:
        'src/core domain code does no I/O: use a port, implemented under src/core/adapters/store or src/core/adapters/engine.',
    },
    { name: 'fs/promises', message: 'src/core domain code does no I/O: use a port.' },
    { name: 'node:fs/promises', message: 'src/core domain code does no I/O: use a port.' },
  ],
  patterns: [
    { group: ['@mikro-orm/*'], message: 'Only the store adapter (src/core/adapters/store) may use the ORM.' },
    { group: ['**/tui/**', '**/tui'], message: 'src/core never depends on the UI.' },
    { group: ['**/adapters/**'], message: 'Domain code reaches adapters only through ports.' },
  ],
};

export const connectorForbiddenImports = {
  patterns: [{ group: ['**/tui/**', '**/tui'], message: 'Connectors never import the UI.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/lint/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/adapters/**'],
    rules: { 'no-restricted-imports': ['error', coreForbiddenImports] },
  },
  {
    files: ['src/connectors/**/*.ts', 'plugins/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', connectorForbiddenImports] },
  },
);
