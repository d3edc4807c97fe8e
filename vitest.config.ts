import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{server,shared,client,test}/**/*.test.ts'],
    // Deadlines for a hung test, not for a slow one: on a slow day of this 2-core machine kind a browser test that
    // takes 9 s took 18 s in CI, and a test's own waits have deadlines of their own.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Browser and PostgreSQL suites share machine-wide services; two workers keep a 2-core machine responsive (three
    // took the CI's test run 803 s against 827, while its slowest test took 38 s against 24).
    maxWorkers: 2,
    // Each worker loads the server's modules once for all its files rather than once a file: every test starts what
    // it needs (servers, storage, browsers) on its own, so nothing is shared through modules, and a run of the history
    // and snapshot tests took a fifth less CPU, its module loading 16 s instead of 71.
    isolate: false,
    // Built once for the run when a source is newer: the client the browser tests load, the scripts tests start in
    // processes of their own (compiled to JavaScript); and the PostgreSQL database the tests' databases are copies of.
    globalSetup: ['test/global-setup.ts'],
  },
})
