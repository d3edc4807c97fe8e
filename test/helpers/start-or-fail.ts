/**
 * Starts the real server in a process of its own and, when the start fails,
 * prints why on one line (the driver's own words) and sets the exit code without calling process.exit
 * (as `assay serve` does through main.ts): the process ends only once nothing
 * the failed start opened is left to keep it up (a connection, a thread, a
 * timer), which is what the test watches for. A start that succeeds prints its
 * URL and serves until it is killed.
 */
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'
import { innermostMessage } from '../../server/startup-error.ts'

try {
  const server = await startServer(loadConfig())
  process.stdout.write(`${server.url}\n`)
} catch (error) {
  process.stderr.write(`${innermostMessage(error)}\n`)
  process.exitCode = 1
}
