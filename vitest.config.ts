import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{server,shared,client,test}/**/*.test.ts'],
    // Deadlines for a hung test, not for a slow one: on a slow day of this 2-core machine kind a browser test that
    // takes 9 s took 18 s in CI, and a test's own waits have deadlines of their own.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Browser and PostgreSQL suites share machine-wide services; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
    // The browser tests (test/e2e) load the built client; this builds it first when a source is newer than the build.
    globalSetup: ['test/e2e/build-client.ts'],
  },
})
