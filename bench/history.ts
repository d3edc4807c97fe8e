/**
 * What a board's history costs in storage per 10,000 edits. Four people edit
 * a board through one working day (8 hours): keystrokes in judgments and
 * titles, grades changed, claims linked and re-rated, a few new cards; one
 * log row per edit, as the relay stores a writer's update, and a compaction
 * when as many rows as the relay waits for have come (500, or one per 2 KiB
 * of the last checkpoint on a larger board), folded with the attribution of
 * every change. Measured on SQLite, for a board of 100 assessments and for
 * the board of 1,000:
 *
 * - as written: every row, checkpoint and recorded change;
 * - within the detail window, thinned to the default policy (one checkpoint
 *   an hour, every row kept);
 * - after the detail window (eight days on): all the board's history then
 *   holds, the rows gone: the checkpoint kept for the day, the latest one
 *   (which loads the board) and the day's recorded changes.
 *
 * The figures are the bytes the cap counts (HISTORY_MAX_MB), the growth of
 * the database file as written, what one compaction costs, and how long the
 * board as of a moment of that day takes to rebuild. `npm run bench` calls
 * `benchHistory()`; run this file alone with `npx tsx bench/history.ts`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { addAssessment, addLink, findLink, updateAssessment, updateLink } from '../shared/board-mutations.ts'
import { ACH_RATINGS, ASSESSMENT_STATUSES, CONFIDENCE_LEVELS, IMPACT_LEVELS, LIKELIHOOD_BANDS } from '../shared/domain.ts'
import { loadConfig } from '../server/config.ts'
import { boardAsOf } from '../server/history/board-as-of.ts'
import { foldLog } from '../server/history/fold-log.ts'
import { historyPolicy } from '../server/history/history-policy.ts'
import { readAsOfLog } from '../server/history/as-of-log.ts'
import { historyBytes } from '../server/history/thin-history.ts'
import { createLogger } from '../server/log.ts'
import { rowsBeforeCompaction } from '../server/relay/compaction.ts'
import { openStorage } from '../server/storage/open-storage.ts'
import type { HistorySize, Storage } from '../server/storage/storage.ts'
import { largeBoard } from './export.ts'
import { median } from './median.ts'

const EDITS = 10_000
const WORKING_DAY_MS = 8 * 3_600_000
const WRITERS = ['ws:ana', 'ws:ben', 'ws:cleo', 'ws:dan']
/** One person's run of edits on one card before the next person takes another. */
const RUN = 50
const AS_OF_READS = 25
const BOARD_ID = 'history-bench'
const DAY_MS = 86_400_000

export type HistoryFigures = HistorySize & { totalBytes: number }
export type HistoryBoardResult = {
  board: string
  /** The board's own state, for scale. */
  stateBytes: number
  /** What 10,000 edits add, from the board as it started. */
  asWritten: HistoryFigures & { databaseFileBytes: number }
  withinDetailWindow: HistoryFigures
  /** Not a growth: everything the board's history holds. */
  afterDetailWindow: HistoryFigures
  /** Folding the rows a compaction waits for into a checkpoint, with their attribution. */
  compactionMs: { median: number; max: number }
  /** Reading and rebuilding the board as of a moment of the day. */
  asOfMs: { median: number; max: number }
}
export type HistoryBenchResult = { edits: number; writers: number; hours: number; boards: HistoryBoardResult[] }

const rounded = (ms: number) => Math.round(ms * 10) / 10

const NOTHING: HistorySize = { rows: 0, rowBytes: 0, checkpoints: 0, checkpointBytes: 0, changes: 0, changeBytes: 0 }

/** The history's growth from `base` (all of it by default), with its total as the cap counts it. */
function growth(size: HistorySize, base = NOTHING): HistoryFigures {
  const figures = {
    rows: size.rows - base.rows,
    rowBytes: size.rowBytes - base.rowBytes,
    checkpoints: size.checkpoints - base.checkpoints,
    checkpointBytes: size.checkpointBytes - base.checkpointBytes,
    changes: size.changes - base.changes,
    changeBytes: size.changeBytes - base.changeBytes,
  }
  return { ...figures, totalBytes: historyBytes(figures) }
}

function databaseFileBytes(dataDir: string): number {
  return statSync(join(dataDir, 'assay.db')).size
}

/** The edits of the day, in order: each makes one update, as a writer's client sends it. */
function* editsOf(doc: Y.Doc, model: BoardModel): Generator<() => void> {
  const assessments = model.assessments.map((a) => a.id)
  const claims = model.claims.map((c) => c.id)
  const links = model.links.map((l) => l.id)
  let nextClaim = 0
  for (let run = 0; ; run++) {
    let id = assessments[(run * 7) % assessments.length]!
    if (run % 20 === 19) {
      yield () => {
        id = addAssessment(doc, { title: `New reading ${run}`, judgment: '' })
      }
    }
    const words = `Reporting from the border on day ${run} suggests movement; `
    for (let i = 0; i < 42; i++) yield () => assessmentText(doc, id, 'judgment').insert(assessmentText(doc, id, 'judgment').length, words[i % words.length]!)
    for (let i = 0; i < 2; i++) yield () => assessmentText(doc, id, 'title').insert(0, '·')
    yield () => updateAssessment(doc, id, { likelihood: LIKELIHOOD_BANDS[run % LIKELIHOOD_BANDS.length]! })
    yield () => updateAssessment(doc, id, { confidence: CONFIDENCE_LEVELS[run % CONFIDENCE_LEVELS.length]! })
    yield () => updateAssessment(doc, id, { impact: IMPACT_LEVELS[run % IMPACT_LEVELS.length]! })
    yield () => updateAssessment(doc, id, { status: ASSESSMENT_STATUSES[run % ASSESSMENT_STATUSES.length]! })
    yield () => {
      let claimId = claims[nextClaim++ % claims.length]!
      while (findLink(doc, id, claimId)) claimId = claims[nextClaim++ % claims.length]!
      links.push(addLink(doc, { assessmentId: id, claimId, rating: ACH_RATINGS[run % ACH_RATINGS.length]! }))
    }
    yield () => updateLink(doc, links[(run * 13) % links.length]!, { rating: ACH_RATINGS[(run + 1) % ACH_RATINGS.length]! })
  }
}

async function benchBoard(name: string, model: BoardModel): Promise<HistoryBoardResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'assay-bench-history-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
  const policy = historyPolicy(config)
  let now = Date.parse('2026-11-30T08:00:00.000Z')
  const clock = () => new Date(now)
  const logger = createLogger('silent')
  let storage: Storage = await openStorage(config, logger, clock)
  const doc = new Y.Doc()
  try {
    await storage.boards.create({ id: BOARD_ID, title: model.title, createdAt: clock().toISOString(), createdBy: null })
    replaceBoardContent(doc, model)
    const stateBytes = Y.encodeStateAsUpdate(doc).byteLength
    await storage.log.append(BOARD_ID, [{ update: Y.encodeStateAsUpdate(doc), origin: 'server:import' }])
    await storage.log.compact(BOARD_ID, foldLog)
    const base = await storage.history.size(BOARD_ID)
    await storage.close()
    const baseFile = databaseFileBytes(dataDir)
    storage = await openStorage(config, logger, clock)

    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    const compactions: number[] = []
    let rowsAfterCheckpoint = 0
    let rowsDue = rowsBeforeCompaction((await storage.history.checkpoints(BOARD_ID))[0]!.bytes)
    const start = now
    const edits = editsOf(doc, { ...model, links: [...model.links] })
    for (let done = 0; done < EDITS; ) {
      edits.next().value!()
      const update = updates.shift()
      if (updates.length > 0) throw new Error('an edit made more than one update')
      // Setting a field to the value it has sends nothing: not an edit.
      if (!update) continue
      done++
      now = start + Math.round((done * WORKING_DAY_MS) / EDITS)
      await storage.log.append(BOARD_ID, [{ update, origin: WRITERS[Math.floor(done / RUN) % WRITERS.length]! }])
      if (++rowsAfterCheckpoint >= rowsDue) {
        const began = performance.now()
        const { checkpointBytes } = await storage.log.compact(BOARD_ID, foldLog)
        compactions.push(performance.now() - began)
        rowsAfterCheckpoint = 0
        rowsDue = rowsBeforeCompaction(checkpointBytes)
      }
    }
    const asWritten = growth(await storage.history.size(BOARD_ID), base)
    await storage.close()
    const fileGrowth = databaseFileBytes(dataDir) - baseFile
    storage = await openStorage(config, logger, clock)

    await storage.history.thin(BOARD_ID, policy, clock().toISOString())
    const withinDetailWindow = growth(await storage.history.size(BOARD_ID), base)
    const asOf: number[] = []
    for (let i = 0; i < AS_OF_READS; i++) {
      const at = new Date(start + Math.round(((i + 0.5) * WORKING_DAY_MS) / AS_OF_READS)).toISOString()
      const began = performance.now()
      const stored = await readAsOfLog({ storage }, BOARD_ID, at)
      if (stored?.kind !== 'kept') throw new Error(`the board as of ${at} is not kept: ${JSON.stringify(stored)}`)
      boardAsOf({ boardId: BOARD_ID, log: stored.log })
      asOf.push(performance.now() - began)
    }

    now += policy.detailMs + DAY_MS
    await storage.history.thin(BOARD_ID, policy, clock().toISOString())
    const afterDetailWindow = growth(await storage.history.size(BOARD_ID))
    return {
      board: name,
      stateBytes,
      asWritten: { ...asWritten, databaseFileBytes: fileGrowth },
      withinDetailWindow,
      afterDetailWindow,
      compactionMs: { median: rounded(median(compactions)), max: rounded(Math.max(...compactions)) },
      asOfMs: { median: rounded(median(asOf)), max: rounded(Math.max(...asOf)) },
    }
  } finally {
    doc.destroy()
    await storage.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export async function benchHistory(): Promise<HistoryBenchResult> {
  return {
    edits: EDITS,
    writers: WRITERS.length,
    hours: WORKING_DAY_MS / 3_600_000,
    boards: [
      await benchBoard('100 assessments, 500 claims, 600 links', largeBoard(100, 500)),
      await benchBoard('1,000 assessments, 5,000 claims, 6,000 links', largeBoard()),
    ],
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await benchHistory(), null, 2))
