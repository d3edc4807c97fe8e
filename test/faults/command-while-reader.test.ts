/**
 * A command run against the database a server serves (`assay board list`,
 * `user add`, `export`...) opened the storage as a server does: it emptied the
 * write-ahead log (a TRUNCATE checkpoint), which holds the write lock while it
 * waits up to 5 s for readers to leave the log. With a reader in it, as `assay
 * backup` is while it copies, the relay's commits waited behind it, on the
 * relay's thread: every board froze for 5 s. The log is the serving server's:
 * a command leaves it alone. A real server in a process of its own, a reader
 * on a connection of its own, and the real command line.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { withDeadline } from '../../server/health/deadline.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { runCli } from '../helpers/run-cli.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

/** Well under the 5 s the relay waited, and well over what a loaded machine takes to answer. */
const ANSWER_DEADLINE_MS = 2500
/** The command line is a process of its own, compiled first: room for a loaded machine. */
const TEST_TIMEOUT_MS = 120_000

const connect = clientsDestroyedAfterEach()
let server: ChildServer | undefined
let reader: Database.Database | undefined
let dataDir: string | undefined
afterEach(async () => {
  reader?.close()
  reader = undefined
  await server?.kill()
  server = undefined
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

it(
  'keeps every board answering while a command runs against the served database and a reader holds the log',
  async () => {
    dataDir = tempDir()
    server = await startChildServer(dataDir)
    const boardId = await apiClient(server.url).createBoard('Held log')
    const editor = connect(server.wsUrl, boardId)
    await editor.synced()
    const id = addAssessment(editor.doc, { title: 'typing', judgment: '' })
    let typed = 0
    const type = () => {
      assessmentText(editor.doc, id, 'judgment').insert(0, 'x')
      typed++
    }
    // The relay commits all along, as it does for an editor typing.
    const typing = setInterval(type, 10)
    try {
      const check = connect(server.wsUrl, boardId)
      await check.synced()
      await waitFor(() => assessmentText(check.doc, id, 'judgment').length >= 10, 'the first edits to be relayed')
      // A snapshot of the log held open, as `assay backup`'s VACUUM INTO holds one while it copies.
      reader = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true })
      reader.exec('begin')
      reader.prepare('select count(*) from board_updates').get()

      let ended = false
      const command = runCli(['board', 'list'], { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent' }).finally(() => (ended = true))
      let answered = 0
      while (!ended) {
        const response = await withDeadline(fetch(`${server.url}/healthz`), ANSWER_DEADLINE_MS, '/healthz while the command ran')
        expect(response.status).toBe(200)
        await response.arrayBuffer()
        answered++
      }
      const run = await command
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(answered).toBeGreaterThan(0)
    } finally {
      clearInterval(typing)
    }
    reader.exec('commit')
    // Every edit made meanwhile was relayed.
    const late = connect(server.wsUrl, boardId)
    await late.synced()
    await waitFor(() => assessmentText(late.doc, id, 'judgment').length === typed, 'every edit to reach a new client')
  },
  TEST_TIMEOUT_MS,
)
