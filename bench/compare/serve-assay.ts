/**
 * Assay as it runs in production, for the comparison: SQLite with its durable
 * log, accounts and memberships checked at every upgrade. One account's API
 * token opens every socket; the boards are that account's own. Run by
 * server-process.ts, configured through the environment as `assay serve` is.
 */
import type { Principal } from '../../server/access/access.ts'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { createBoard } from '../../server/boards/create-board.ts'
import { loadConfig } from '../../server/config.ts'
import { startServer } from '../../server/server.ts'
import { serveProbe, settledMemory } from './server-probe.js'

const server = await startServer(loadConfig())
const startMemory = await settledMemory()
const user = await createAccount(server.services.storage, { email: 'bench@example.org', name: 'Bench', password: crypto.randomUUID() })
if (!user) throw new Error('the bench account exists already: the data folder is not fresh')
const { record, token } = await issueApiToken(server.services.storage, user.id, 'bench')
const principal: Principal = { userId: user.id, tokenId: record.id, name: user.name, isAdmin: false, via: 'token' }

serveProbe({
  wsBase: server.url.replace(/^http/, 'ws'),
  dialect: 'assay',
  token,
  startMemory,
  async createBoards(count) {
    const ids: string[] = []
    for (let i = 0; i < count; i++) ids.push(await createBoard(server.services, { title: `bench ${i}` }, principal))
    return ids
  },
  close: () => server.close(),
})
