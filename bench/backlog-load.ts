/**
 * A board with a backlog of keystroke rows after its checkpoint (`--rows`,
 * default 70,000: two editors typing by turns, a row each, while no
 * compaction could finish), loaded cold and then compacted by a server of its
 * own, with GET /healthz asked every 20 ms meanwhile. Prints the slowest
 * /healthz during the load and during the compaction that follows, and the
 * rows left after it. Run with `npx tsx bench/backlog-load.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { applyStoredState } from '../server/relay/merge-state.ts'
import { startServer } from '../server/server.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { largeBoard } from './export.ts'
import { OPERATOR } from './relay.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '70000' }, 'compaction-ms': { type: 'string', default: '120000' } } })
const backlogRows = Number(values.rows)

const dataDir = mkdtempSync(join(tmpdir(), 'assay-backlog-load-'))
const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ROOM_IDLE_MS: '0', ...BENCH_LIMITS })
try {
  const boardId = await writeBacklog()
  const server = await startServer(config, { access: () => openAccess(), logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent') })
  try {
    const healthz = pollHealthz(`${server.url}/healthz`)
    const start = performance.now()
    const loading = healthz.phase()
    await server.services.rooms.withRoom(boardId, () => undefined)
    const loadMs = performance.now() - start
    const duringLoad = loading.end()
    // Loaded, the board is compacted: slice by slice, or all at once.
    const compacting = healthz.phase()
    const log = server.services.storage.log
    const deadline = performance.now() + Number(values['compaction-ms'])
    while ((await log.count(boardId)) > 2_000 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500))
    const duringCompaction = compacting.end()
    healthz.stop()
    console.log(JSON.stringify({ backlogRows, loadMs: Math.round(loadMs), healthzDuringLoad: duringLoad, healthzDuringCompaction: duringCompaction, rowsLeft: await log.count(boardId), compactionMs: Math.round(performance.now() - start - loadMs) }))
  } finally {
    await server.close()
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}

/** The large board, compacted, then `backlogRows` one-character rows after its checkpoint, written by a server that never compacts. */
async function writeBacklog(): Promise<string> {
  const writer = await startServer(config, { access: () => openAccess(), logger: createLogger('silent'), compactAfterRows: Number.MAX_SAFE_INTEGER })
  try {
    const { rooms, storage } = writer.services
    const boardId = await createBoard(writer.services, { title: 'backlog' }, OPERATOR)
    const board = { ...largeBoard(), id: boardId, title: 'backlog' }
    await rooms.withRoom(boardId, (room) => room.change((doc) => replaceBoardContent(doc, board, serverOrigin('bench'))))
    await writer.services.compaction.compact(boardId)
    // Two editors typing by turns into one judgment, each keystroke reaching the other before the next.
    const stored = await storage.log.load(boardId)
    const editors = [new Y.Doc(), new Y.Doc()]
    for (const editor of editors) applyStoredState(editor, stored)
    const rows: Uint8Array[] = []
    const typed = (update: Uint8Array, origin: unknown) => origin !== 'relayed' && rows.push(update)
    for (const editor of editors) editor.on('update', typed)
    for (let i = 0; i < backlogRows; i++) {
      const [typist, reader] = i % 2 === 0 ? [editors[0]!, editors[1]!] : [editors[1]!, editors[0]!]
      const text = assessmentText(typist, board.assessments[0]!.id, 'judgment')
      text.insert(text.length, String.fromCharCode(97 + (i % 26)))
      Y.applyUpdate(reader, rows.at(-1)!, 'relayed')
    }
    for (let i = 0; i < rows.length; i += 1_000) {
      await storage.log.append(boardId, rows.slice(i, i + 1_000).map((update, j) => ({ update, origin: `bench-editor-${(i + j) % 2}` })))
    }
    for (const editor of editors) editor.destroy()
    return boardId
  } finally {
    await writer.close()
  }
}

/** GET `url` one after the other, 20 ms apart; each phase reports its slowest answer and how many were asked. */
function pollHealthz(url: string) {
  let slowest = 0
  let asked = 0
  let stopped = false
  void (async () => {
    while (!stopped) {
      const start = performance.now()
      try {
        await (await fetch(url)).arrayBuffer()
      } catch {
        // A refused /healthz is timed as any other answer.
      }
      slowest = Math.max(slowest, performance.now() - start)
      asked++
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  return {
    phase() {
      slowest = 0
      asked = 0
      return { end: () => ({ slowestMs: Math.round(slowest), asked }) }
    },
    stop: () => void (stopped = true),
  }
}
