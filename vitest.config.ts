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
    // Each worker loads the server's modules once for all its files rather than once a file: every test starts what
    // it needs (servers, storage, browsers) on its own, so nothing is shared through modules, and a run of the history
    // and snapshot tests took a fifth less CPU, its module loading 16 s instead of 71.
    isolate: false,
    // The browser tests (test/e2e) load the built client; this builds it first when a source is newer than the build.
    // The PostgreSQL tests' databases are copies of one migrated once for the run.
    globalSetup: ['test/e2e/build-client.ts', 'test/helpers/migrated-template.ts'],
  },
})
