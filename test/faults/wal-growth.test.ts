/**
 * SQLite's write-ahead log under a sustained stream of commits: a passive
 * checkpoint always ends behind the last commit, so SQLite never starts the
 * log over and, left alone, the -wal file only grows (hundreds of MB a minute,
 * given back only at shutdown) until the disk is full. The checkpoint thread
 * has the log started over once past SQLITE_WAL_LIMIT_MB, so the file is
 * written again from its beginning while the writes go on; it is emptied once
 * they stop; and what was acknowledged survives SIGKILL all the same.
 */
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { SQLITE_FILE_NAME } from '../../server/storage/sqlite.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/**
 * The smallest limit the setting takes, so that the stream passes it many times over within seconds; and no
 * compaction: folding a board writes it whole at once, a burst of megabytes in one tick that the file would keep
 * room for (the limit bounds what the log holds at a tick, plus what one tick commits).
 */
const SERVER_ENV = { SQLITE_WAL_LIMIT_MB: '1', COMPACT_AFTER_ROWS: '1000000' }
/** Writers at once, each adding cards to a board of its own (a board holds at most BOARD_MAX_BYTES). */
const WRITERS = 4
/** Each card's judgment, at most a long text: every commit writes at least this much to the log. */
const JUDGMENT = 'The build-up continues along the border. '.repeat(400)
/**
 * The stream goes on until it has written this many times the most the -wal
 * file ever held. Never on a server that lets the log grow: there the file
 * holds everything written since the last moment nobody was writing (each
 * card's commit puts at least its judgment in the log), and the stream ends
 * at its deadline. Twice, not more: one checkpoint slow to sync can leave the
 * file tens of times its limit once (19.5 MB in a clean-clone CI run), and the
 * stream must outgrow that within its deadline on a slow machine.
 */
const WRITTEN_OVER = 2
/** Long enough for a loaded machine, whose stalls can leave the log several seconds' writes long once. */
const STREAM_DEADLINE_MS = 150_000

let child: ChildServer | undefined
let dataDir: string | undefined
afterEach(async () => {
  await child?.kill()
  child = undefined
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

it('starts the WAL over past its limit while commits go on back to back and empties it once they stop, losing no acknowledged edit to SIGKILL', { timeout: 300_000 }, async () => {
  dataDir = tempDir('assay-wal-growth-')
  const wal = join(dataDir, `${SQLITE_FILE_NAME}-wal`)
  const walBytes = () => {
    try {
      return statSync(wal).size
    } catch {
      return 0
    }
  }
  child = await startChildServer(dataDir, { ...SERVER_ENV, METRICS_TOKEN })
  const api = apiClient(child.url)
  const walMetric = async () => sample(await (await fetch(`${child!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text(), 'assay_sqlite_wal_bytes')
  const boards = await Promise.all(Array.from({ length: WRITERS }, (_, writer) => api.createBoard(`Stream ${writer}`)))
  // The checkpoint thread starts at the first write (a tick later) and empties what the boards' creation wrote: from
  // there on, what the file holds is the checkpoints' doing.
  await waitFor(() => walBytes() === 0, 'the checkpoint thread to empty the WAL once nobody writes')

  let written = 0
  let most = 0
  const acknowledged = new Map<string, string[]>(boards.map((board) => [board, []]))
  const refused: number[] = []
  const deadline = Date.now() + STREAM_DEADLINE_MS
  await Promise.all(
    boards.map(async (board) => {
      for (let card = 0; written < WRITTEN_OVER * most || most === 0; card++) {
        if (Date.now() > deadline) return
        const created = await api.post<{ id: string }>(`/api/boards/${board}/assessments`, { title: `Card ${card}`, judgment: JUDGMENT })
        if (created.status === 201) acknowledged.get(board)!.push(created.body.id)
        else refused.push(created.status)
        written += JUDGMENT.length
        most = Math.max(most, walBytes())
      }
    }),
  )
  expect(refused).toEqual([])
  expect(written, `the -wal file held up to ${most} bytes`).toBeGreaterThanOrEqual(WRITTEN_OVER * most)

  // What the file holds, until it is emptied, the metrics say.
  expect(await walMetric()).toBeGreaterThan(0)
  // Nothing written for a tick: the file is given back whole, not kept at its largest until shutdown.
  await waitFor(() => walBytes() === 0, `the -wal file to be emptied once the writes stop (it holds ${walBytes()} bytes)`)
  expect(await walMetric()).toBe(0)

  await child.kill('SIGKILL')
  child = await startChildServer(dataDir, SERVER_ENV)
  const restarted = apiClient(child.url)
  for (const [board, ids] of acknowledged) {
    const stored = await restarted.get<BoardModel>(`/api/boards/${board}`)
    expect(stored.status).toBe(200)
    expect(new Set(stored.body.assessments.map((card) => card.id))).toEqual(new Set(ids))
  }
})
