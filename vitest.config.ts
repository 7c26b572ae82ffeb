import { defineConfig } from 'vitest/config';

// The same suite runs once per database: always on embedded PGlite, and on PostgreSQL
// when TEST_DATABASE_URL is set.
const databases = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // `npm test` measures coverage (it costs next to nothing here: the suite waits on databases).
    // In-process code only: servers spawned from dist/cli.js are not measured, so cli.ts counts low.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // A timed-out test on a loaded machine should not cost the numbers of a 6-minute run.
      reportOnFailure: true,
      // A little under what the PGlite run reaches (93.9 / 93.8 / 88.0 / 92.8 % when set).
      thresholds: { lines: 92, functions: 92, branches: 86, statements: 91 },
    },
    projects: databases.map((name) => ({
      extends: true,
      test: { name, include: ['test/**/*.test.ts'], env: { MANGROVE_TEST_DB: name } },
    })),
  },
});
