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
    projects: databases.map((name) => ({
      extends: true,
      test: { name, include: ['test/**/*.test.ts'], env: { MANGROVE_TEST_DB: name } },
    })),
  },
});
