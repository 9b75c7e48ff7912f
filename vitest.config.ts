import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // a plugin author's project: its test runs inside a temp install of the packed kit (test/packaging)
    exclude: [...configDefaults.exclude, 'test/fixtures/**'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Real models and real SQLite files: give slow machines room, but fail rather than hang.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep heavy model tests from fighting each other.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
