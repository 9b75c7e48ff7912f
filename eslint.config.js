// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layer rules (which folder may import what) live in .dependency-cruiser.cjs, run by `npm run lint`
// after ESLint: it sees dynamic imports, type-only imports, cycles and resolved paths, which
// no-restricted-imports did not (docs/architecture.md, "Layer rules").
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
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
    // What dependency-cruiser cannot see, as no import names it: a built-in reached through
    // process.getBuiltinModule, and the network through the global fetch (docs/architecture.md).
    files: ['src/core/{domain,ports,services,consent}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'getBuiltinModule',
          message: 'The core loads no Node built-in: use a port an adapter implements.',
        },
        { object: 'globalThis', property: 'fetch', message: 'The core does no HTTP: go through a Connector.' },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'The core does no HTTP: go through a Connector.' }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
