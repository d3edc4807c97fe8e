// @ts-check
/**
 * Assay as it runs in production, for the comparison: the compiled JavaScript
 * that `npm start` runs (dist/server, built by the bench before the run),
 * SQLite with its durable log, accounts and memberships checked at every
 * upgrade. One account's API token opens every socket; the boards are that
 * account's own. Run by server-process.ts, configured through the environment
 * as `assay serve` is. Plain JavaScript, like the peers' scripts: no
 * TypeScript loader in the measured process.
 */
import { createAccount, issueApiToken } from '../../dist/server/server/auth/accounts.js'
import { createBoard } from '../../dist/server/server/boards/create-board.js'
import { loadConfig } from '../../dist/server/server/config.js'
import { startServer } from '../../dist/server/server/server.js'
import { memoryOnceIdle, serveProbe } from './server-probe.js'

const server = await startServer(loadConfig())
const startMemory = await memoryOnceIdle()
const user = await createAccount(server.services, { email: 'bench@example.org', name: 'Bench', password: crypto.randomUUID() })
if (!user) throw new Error('the bench account exists already: the data folder is not fresh')
const { record, token } = await issueApiToken(server.services, user.id, 'bench')
/** @type {import('../../server/access/access.ts').Principal} */
const principal = { userId: user.id, tokenId: record.id, name: user.name, isAdmin: false, via: 'token' }

serveProbe({
  wsBase: server.url.replace(/^http/, 'ws'),
  dialect: 'assay',
  token,
  startMemory,
  async createBoards(count) {
    const ids = []
    for (let i = 0; i < count; i++) ids.push(await createBoard(server.services, { title: `bench ${i}` }, principal))
    return ids
  },
  close: () => server.close(),
})
