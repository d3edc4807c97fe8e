import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{server,shared,client,test}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Browser and PostgreSQL suites share machine-wide services; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
    // The browser tests (test/e2e) load the built client; this builds it first when a source is newer than the build.
    globalSetup: ['test/e2e/build-client.ts'],
  },
})
