/**
 * A real server process without accounts (everyone an editor), for tests that
 * kill the process: it prints its URL on the first line of stdout.
 */
import { openAccess } from '../../server/access/open-access.ts'
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'

const server = await startServer(loadConfig(), { access: () => openAccess(), rooms: { compactAfterRows: Number(process.env.COMPACT_AFTER_ROWS ?? 500) } })
process.stdout.write(`${server.url}\n`)
