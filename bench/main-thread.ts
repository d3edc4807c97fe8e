/**
 * How long the relay's event loop is held while the heavy work a member can
 * start runs on the board of 1,000 assessments: a diff, a 1.4 MB import, a
 * snapshot, compaction, an automatic snapshot sweep and a Markdown export,
 * each through the real server (HTTP or its services). For each: the wall time,
 * the longest stall of the main thread meanwhile (event-loop delay, max), and
 * how long the same work holds the thread when run on it directly, as it was
 * before the worker pool. `npm run bench` calls `benchMainThread()`; run this
 * file alone with `npx tsx bench/main-thread.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { importOnStoredBoard, parseDocument } from '../server/import/import-job.ts'
import { createLogger } from '../server/log.ts'
import { mergeBoardState } from '../server/relay/merge-state.ts'
import { startServer, type RunningServer } from '../server/server.ts'
import { exportStoredVersion } from '../server/export/stored-version.ts'
import { captureLog } from '../server/snapshots/board-state.ts'
import { diffSides } from '../server/snapshots/diff-job.ts'
import { readVersion } from '../server/snapshots/diff-versions.ts'
import { largeSourceDocument } from '../test/helpers/large-inputs.ts'
import { largeBoard } from './export.ts'

/** `maxLoopBlockMs`: the longest the main thread was held meanwhile; `onMainThreadMs`: the same work run on it directly. */
export type BlockingFigures = { ms: number; maxLoopBlockMs: number; onMainThreadMs: number }

export type MainThreadBenchResult = Record<'diff' | 'import' | 'snapshot' | 'compaction' | 'autoSnapshots' | 'exportMarkdown', BlockingFigures>

const OPERATOR = { userId: null, tokenId: null, name: 'bench', isAdmin: true, via: 'open' } as const
const round = (n: number) => Math.round(n * 10) / 10

/** Wall time of `work`, and the longest event-loop stall while it ran. */
export async function watchLoop(work: () => Promise<unknown>): Promise<{ ms: number; maxLoopBlockMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const start = performance.now()
  await work()
  const ms = performance.now() - start
  delay.disable()
  return { ms: round(ms), maxLoopBlockMs: round(delay.max / 1e6) }
}

function timeInline(work: () => unknown): Promise<number> {
  const start = performance.now()
  return Promise.resolve(work()).then(() => round(performance.now() - start))
}

/** The client runs in the server's process: it sends prepared JSON and reads the answer as text, so that it adds little to the stalls measured. */
async function call(server: RunningServer, method: string, path: string, json?: string): Promise<string> {
  const response = await fetch(server.url + path, { method, headers: json === undefined ? {} : { 'content-type': 'application/json' }, body: json })
  const text = await response.text()
  if (!response.ok) throw new Error(`bench: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
  return text
}

export async function benchMainThread(): Promise<MainThreadBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-bench-'))
  const server = await startServer(
    // A large board's export and import take seconds; the time budgets stay far from the figures measured.
    loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SNAPSHOT_INTERVAL_MINUTES: '0' }),
    { access: () => openAccess(), logger: createLogger('silent'), compactAfterRows: 1_000_000 },
  )
  const { services } = server
  try {
    const boardId = await createBoard(services, { title: 'large' }, OPERATOR)
    const board = `/api/boards/${boardId}`
    const model = { ...largeBoard(), id: boardId, title: 'large' }
    await services.rooms.withRoom(boardId, (room) => room.change((doc) => replaceBoardContent(doc, model, serverOrigin('bench'))))
    // Starts the worker thread, so that what follows measures the work, not a thread's start.
    await call(server, 'GET', `${board}/diff?from=live&to=live`)

    const snapshotTimes = await watchLoop(() => call(server, 'POST', `${board}/snapshots`, JSON.stringify({ label: 'before the rewrite' })))
    const snapshotInline = await timeInline(async () => captureLog(boardId, await services.storage.log.load(boardId)))
    const [before] = await services.storage.snapshots.list(boardId)

    // Every judgment rewritten: a comparison with 1,000 word diffs, and 1,000 more rows to compact.
    await services.rooms.withRoom(boardId, async (room) => {
      for (const [i, assessment] of model.assessments.entries()) {
        await room.change((doc) => {
          const judgment = assessmentText(doc, assessment.id, 'judgment')
          judgment.delete(0, judgment.length)
          judgment.insert(0, `Rewritten (${i}): ${assessment.judgment.split(' ').reverse().join(' ')}`)
        })
      }
    })
    const diffPath = `${board}/diff?from=${before!.id}&to=live`
    const diffTimes = await watchLoop(() => call(server, 'GET', diffPath))
    const diffInline = await timeInline(async () => {
      const now = services.clock().toISOString()
      const [from, to] = await Promise.all([readVersion(services.storage, boardId, before!.id, now), readVersion(services.storage, boardId, 'live', now)])
      const { DIFF_MAX_TEXT_CHARS, DIFF_TIME_BUDGET_MS } = services.config
      return diffSides({ boardId, from: from!, to: to!, words: { maxTextChars: DIFF_MAX_TEXT_CHARS, budgetMs: DIFF_TIME_BUDGET_MS } })
    })

    const stored = await services.storage.log.load(boardId)
    const compactionInline = await timeInline(() => mergeBoardState(stored.checkpoint, stored.updates))
    const compactionTimes = await watchLoop(() => services.compaction.compact(boardId))

    const log = await services.storage.log.load(boardId)
    const sweepTimes = await watchLoop(() => services.autoSnapshots.runOnce())
    const sweepInline = await timeInline(() => captureLog(boardId, log))

    const exportTimes = await watchLoop(() => call(server, 'GET', `${board}/export?format=md`))
    const exportInline = await timeInline(() =>
      exportStoredVersion({ format: 'md', scope: 'all', version: { kind: 'live', boardId, at: new Date().toISOString(), log }, maxBriefingChars: services.config.BRIEFING_MAX_CHARS }),
    )

    const document = largeSourceDocument(1_400_000)
    const importInline = await timeInline(async () => importOnStoredBoard({ log, parsed: await parseDocument({ document: { text: document } }), preview: false, by: 'bench' }))
    const body = JSON.stringify({ text: document })
    const importTimes = await watchLoop(() => call(server, 'POST', `${board}/import`, body))

    return {
      diff: { ...diffTimes, onMainThreadMs: diffInline },
      import: { ...importTimes, onMainThreadMs: importInline },
      snapshot: { ...snapshotTimes, onMainThreadMs: snapshotInline },
      compaction: { ...compactionTimes, onMainThreadMs: compactionInline },
      autoSnapshots: { ...sweepTimes, onMainThreadMs: sweepInline },
      exportMarkdown: { ...exportTimes, onMainThreadMs: exportInline },
    }
  } finally {
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchMainThread(), null, 2))
}
