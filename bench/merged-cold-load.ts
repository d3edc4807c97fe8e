/**
 * Whether a cold load could apply one merged update instead of its stored
 * parts: the board of 1,000 assessments (3.8 MB) as the checkpoint and
 * 16,000 one-character rows after it (what a board that size holds at most
 * before a fold, compaction.ts), applied as the relay applies them
 * (applyStoredState, one transaction) against Y.mergeUpdates of them all
 * (what a worker would do) and one Y.applyUpdate of the result, alternated.
 * Run with `npx tsx bench/merged-cold-load.ts`.
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { blufText } from '../shared/board-doc.ts'
import { applyStoredState } from '../server/relay/merge-state.ts'
import { largeBoard } from './export.ts'

const source = new Y.Doc()
replaceBoardContent(source, { ...largeBoard(), id: 'b', title: 'large' } as never, serverOrigin('bench'))
const checkpoint = Y.encodeStateAsUpdate(source)
const rows: Uint8Array[] = []
source.on('update', (u: Uint8Array) => rows.push(u))
const text = blufText(source)
for (let i = 0; i < 16_000; i++) text.insert(text.length, String.fromCharCode(97 + (i % 26)))
const stored = rows.reduce((t, r) => t + r.byteLength, checkpoint.byteLength)
console.log(JSON.stringify({ checkpointMb: checkpoint.byteLength / 1e6, rows: rows.length, storedMb: stored / 1e6 }))
for (let round = 0; round < 3; round++) {
  let doc = new Y.Doc()
  let t = performance.now()
  applyStoredState(doc, { checkpoint, updates: rows })
  const rowsMs = performance.now() - t
  doc.destroy()
  t = performance.now()
  const merged = Y.mergeUpdates([checkpoint, ...rows])
  const mergeMs = performance.now() - t
  doc = new Y.Doc()
  t = performance.now()
  Y.applyUpdate(doc, merged)
  const mergedApplyMs = performance.now() - t
  doc.destroy()
  console.log(JSON.stringify({ round, applyRowsMs: Math.round(rowsMs), mergeInWorkerMs: Math.round(mergeMs), applyMergedMs: Math.round(mergedApplyMs), mergedMb: merged.byteLength / 1e6 }))
}
