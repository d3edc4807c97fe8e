/**
 * SQLite's write-ahead log under a sustained stream of commits: a passive
 * checkpoint always ends behind the last commit, so SQLite never starts the
 * log over and, left alone, the -wal file only grows (hundreds of MB a minute,
 * given back only at shutdown) until the disk is full. The checkpoint thread
 * empties it once past SQLITE_WAL_LIMIT_MB, while the writes go on, and once
 * they stop; and what was acknowledged survives SIGKILL all the same.
 */
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** The smallest limit the setting takes, so that the stream passes it many times over within seconds. */
const WAL_LIMIT_MB = '1'
/** Writers at once, each adding cards to a board of its own (a board holds at most BOARD_MAX_BYTES). */
const WRITERS = 4
/** Each card's judgment: a few database pages a commit. */
const JUDGMENT = 'The build-up continues along the border. '.repeat(100)
/**
 * The stream goes on until the log has been written this many times over the
 * most its file ever held. Never on a server that does not empty it: there the
 * file only grows, and the stream ends at its deadline.
 */
const WRITTEN_OVER = 4
const STREAM_DEADLINE_MS = 60_000

let child: ChildServer | undefined
let dataDir: string | undefined
afterEach(async () => {
  await child?.kill()
  child = undefined
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

it('empties the WAL past its limit while commits go on back to back, and once they stop, losing no acknowledged edit to SIGKILL', { timeout: 180_000 }, async () => {
  dataDir = tempDir('assay-wal-growth-')
  const wal = join(dataDir, `${SQLITE_FILE_NAME}-wal`)
  const walBytes = () => {
    try {
      return statSync(wal).size
    } catch {
      return 0
    }
  }
  child = await startChildServer(dataDir, { SQLITE_WAL_LIMIT_MB: WAL_LIMIT_MB })
  const api = apiClient(child.url)
  const boards = await Promise.all(Array.from({ length: WRITERS }, (_, writer) => api.createBoard(`Stream ${writer}`)))

  // The file's size after each acknowledged edit: what it grew by in all (a log started over from its
  // beginning rewrites the same bytes, so this counts less than was written) and the most it held.
  let grown = 0
  let most = 0
  let shrunk = 0
  let last = walBytes()
  const seen = () => {
    const size = walBytes()
    if (size > last) grown += size - last
    else if (size < last) shrunk++
    most = Math.max(most, size)
    last = size
  }
  const acknowledged = new Map<string, string[]>(boards.map((board) => [board, []]))
  const refused: number[] = []
  const deadline = Date.now() + STREAM_DEADLINE_MS
  await Promise.all(
    boards.map(async (board) => {
      for (let card = 0; grown < WRITTEN_OVER * most || most === 0; card++) {
        if (Date.now() > deadline) return
        const created = await api.post<{ id: string }>(`/api/boards/${board}/assessments`, { title: `Card ${card}`, judgment: JUDGMENT })
        if (created.status === 201) acknowledged.get(board)!.push(created.body.id)
        else refused.push(created.status)
        seen()
      }
    }),
  )
  expect(refused).toEqual([])
  expect(shrunk, `the -wal file grew by ${grown} bytes and held at most ${most}`).toBeGreaterThan(0)
  expect(grown).toBeGreaterThanOrEqual(WRITTEN_OVER * most)

  // Nothing written for a tick: the file is given back whole, not kept at its largest until shutdown.
  await waitFor(() => walBytes() === 0, `the -wal file to be emptied once the writes stop (it holds ${walBytes()} bytes)`)

  await child.kill('SIGKILL')
  child = await startChildServer(dataDir, { SQLITE_WAL_LIMIT_MB: WAL_LIMIT_MB })
  const restarted = apiClient(child.url)
  for (const [board, ids] of acknowledged) {
    const stored = await restarted.get<BoardModel>(`/api/boards/${board}`)
    expect(stored.status).toBe(200)
    expect(new Set(stored.body.assessments.map((card) => card.id))).toEqual(new Set(ids))
  }
})
