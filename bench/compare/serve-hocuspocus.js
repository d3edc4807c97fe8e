// @ts-check
/**
 * Hocuspocus with its defaults, for the comparison; with HOCUSPOCUS_SQLITE set
 * to a file, with its SQLite extension storing documents there (after its
 * default debounce of 2 s, up to 10 s). Run by server-process.ts; plain
 * JavaScript, see server-probe.js.
 */
import { SQLite } from '@hocuspocus/extension-sqlite'
import { Server } from '@hocuspocus/server'
import { memoryOnceIdle, serveProbe } from './server-probe.js'

const database = process.env.HOCUSPOCUS_SQLITE
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, extensions: database ? [new SQLite({ database })] : [] })
await server.listen()

serveProbe({
  wsBase: `ws://127.0.0.1:${server.address.port}`,
  dialect: 'hocuspocus',
  token: null,
  startMemory: await memoryOnceIdle(),
  createBoards: async (count) => Array.from({ length: count }, () => crypto.randomUUID()),
  close: () => server.destroy(),
})
