/**
 * A real server whose history is thinned on a short policy (a day of detail, a checkpoint an hour, three days kept),
 * compacted only when the test says so, on the test's clock.
 */
import { openAccess } from './open-access.ts'
import type { TestClock } from './test-clock.ts'
import { startTestServer, type Dialect, type TestServer } from './test-server.ts'

export function startThinningServer(dialect: Dialect, clock: TestClock): Promise<TestServer> {
  return startTestServer({
    dialect,
    access: () => openAccess(),
    clock,
    compactAfterRows: 1_000_000,
    env: { HISTORY_DETAIL_DAYS: '1', HISTORY_CHECKPOINT_MINUTES: '60', HISTORY_RETENTION_DAYS: '3' },
  })
}
