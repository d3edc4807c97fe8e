/**
 * A real server process without accounts (everyone an editor), for tests that
 * kill the process or stop it with a signal, as `assay serve` stops: it prints
 * its URL on a line of its own on stdout.
 */
import { openAccess } from './open-access.ts'
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'
import { stopOnSignals } from '../../server/stop-on-signals.ts'

const server = await startServer(loadConfig(), { access: () => openAccess(), compactAfterRows: Number(process.env.COMPACT_AFTER_ROWS ?? 500) })
process.stdout.write(`${server.url}\n`)
stopOnSignals(server)
