/**
 * How long exporting a large board takes: 1,000 assessments and 5,000 claims,
 * each assessment citing six claims, in every format. `npm run bench` calls
 * `benchExport()`; run this file alone with `npx tsx bench/export.ts`.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { generateNKeysBetween } from 'fractional-indexing'
import { boardModelSchema, type BoardModel } from '../shared/board-model.ts'
import {
  ACH_RATINGS,
  ASSESSMENT_STATUSES,
  CONFIDENCE_LEVELS,
  IMPACT_LEVELS,
  LIKELIHOOD_BANDS,
  SOURCE_RELIABILITIES,
  type AssessmentKind,
} from '../shared/domain.ts'
import { LIMITS } from '../shared/limits.ts'
import type { BriefingVersion } from '../server/export/briefing-version.ts'
import { EXPORT_FORMATS, exportBoard, type ExportFormat } from '../server/export/export-board.ts'

export type ExportBenchResult = {
  board: { assessments: number; claims: number; links: number; sources: number }
  /** `ms` is wall time; `cpuMs` is the process's CPU time (all threads), steadier on a shared machine. */
  formats: Record<ExportFormat, { ms: number; cpuMs: number; bytes: number }>
  /** The PDF of a board whose 72 texts are 20,000 UTF-16 units of emoji and mathematical letters, none of which its font draws. */
  emojiPdf: { texts: number; ms: number; cpuMs: number; bytes: number }
  /** The PDF of the same board with each of those texts 20,000 letters its font draws and no space: one word. */
  spacelessPdf: { texts: number; ms: number; cpuMs: number; bytes: number }
}

const CITATIONS_PER_ASSESSMENT = 6

/** Real sentences, so line breaking and font shaping do the work they do on a real board. */
const SENTENCES = readFileSync(fileURLToPath(new URL('../server/demo/wagner-vilnius-article.txt', import.meta.url)), 'utf8')
  .replace(/\[citation: [^\]]*\]/g, '')
  .split(/(?<=[.!?])\s+/)
  .map((s) => s.trim())
  .filter((s) => s.length > 40)

/** When a board's entries were made: from `start`, `stepMs` apart. */
export type EntryTimes = { start: number; stepMs: number }

/** By default a minute apart from 1 November 2026, fixed so that its exports are the same in every run. */
export function largeBoard(assessmentCount = 1000, claimCount = 5000, times: EntryTimes = { start: Date.UTC(2026, 10, 1), stepMs: 60_000 }): BoardModel {
  const at = (i: number) => new Date(times.start + i * times.stepMs).toISOString()
  const sentence = (i: number) => SENTENCES[i % SENTENCES.length]!
  const sources = Array.from({ length: 40 }, (_, i) => ({
    id: `source-${i}`,
    name: i % 7 === 0 ? `Канал «Пригожин» ${i}` : `Source ${i} — “regional briefings”`,
    kind: 'reporting',
    reliability: SOURCE_RELIABILITIES[i % SOURCE_RELIABILITIES.length]!,
    createdAt: at(i),
  }))
  const claims = Array.from({ length: claimCount }, (_, i) => ({
    id: `claim-${i}`,
    text: `${sentence(i)} (${i})`,
    sourceId: sources[i % sources.length]!.id,
    credibility: ((i % 6) + 1) as 1 | 2 | 3 | 4 | 5 | 6,
    status: i % 20 === 0 ? ('retracted' as const) : ('active' as const),
    createdAt: at(i),
  }))
  const orders = generateNKeysBetween(null, null, assessmentCount)
  const kindOf = (i: number): AssessmentKind => (i % 20 === 0 ? 'key-judgment' : i % 7 === 0 ? 'hypothesis' : 'assessment')
  const assessments = orders.map((order, i) => ({
    id: `assessment-${i}`,
    title: `Assessment ${i}: ${sentence(i * 3).slice(0, 60)}`,
    judgment: `${sentence(i * 3 + 1)} ${sentence(i * 3 + 2)}`,
    kind: kindOf(i),
    likelihood: i % 9 === 0 ? null : LIKELIHOOD_BANDS[i % LIKELIHOOD_BANDS.length]!,
    confidence: CONFIDENCE_LEVELS[i % CONFIDENCE_LEVELS.length]!,
    impact: IMPACT_LEVELS[i % IMPACT_LEVELS.length]!,
    status: ASSESSMENT_STATUSES[i % ASSESSMENT_STATUSES.length]!,
    tags: ['bench'],
    order,
    createdAt: at(i),
  }))
  const links = assessments.flatMap((assessment, i) =>
    Array.from({ length: CITATIONS_PER_ASSESSMENT }, (_, k) => ({
      id: `link-${i}-${k}`,
      assessmentId: assessment.id,
      claimId: claims[(i * CITATIONS_PER_ASSESSMENT + k) % claims.length]!.id,
      rating: ACH_RATINGS[(i + k) % ACH_RATINGS.length]!,
      createdAt: at(i),
    })),
  )
  return boardModelSchema.parse({
    id: 'bench-board',
    title: 'Export benchmark board',
    marking: 'TLP:AMBER',
    question: 'How long does a large briefing take to export?',
    profile: 'icd203',
    schemaVersion: 1,
    sources,
    documents: [],
    claims,
    assessments,
    links,
  })
}

/** Emoji and a mathematical letter, neither in Roboto, repeated to a long text's limit: the red team's board (36d). */
const ASTRAL_TEXT = '\u{1F4A9}\u{1D54F}'.repeat(LIMITS.longText / 4)

/** Letters Roboto draws, with no space: the red team's one-word board. */
const SPACELESS_TEXT = 'Abcdefghij'.repeat(LIMITS.longText / 10)

/** 10 assessments and 5 claims, each link between them noted: every text that may be long is `text` (72 in all). */
export function longTextBoard(text: string): BoardModel {
  const base = largeBoard(10, 5)
  return boardModelSchema.parse({
    ...base,
    bluf: text,
    question: text,
    claims: base.claims.map((c) => ({ ...c, text, note: text, status: 'active' })),
    assessments: base.assessments.map((a) => ({ ...a, judgment: text })),
    links: base.assessments.flatMap((a, i) =>
      base.claims.map((c, k) => ({ id: `link-${i}-${k}`, assessmentId: a.id, claimId: c.id, rating: 'C', note: text, createdAt: a.createdAt })),
    ),
  })
}

async function timedExport(format: ExportFormat, board: BoardModel, version: BriefingVersion) {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const file = await exportBoard(format, board, version)
  const used = process.cpuUsage(cpu)
  return {
    ms: Math.round(performance.now() - start),
    cpuMs: Math.round((used.user + used.system) / 1000),
    bytes: typeof file.body === 'string' ? Buffer.byteLength(file.body) : file.body.byteLength,
  }
}

export async function benchExport(): Promise<ExportBenchResult> {
  const board = largeBoard()
  const version: BriefingVersion = { kind: 'snapshot', id: 'snapshot-bench', label: 'bench', hash: 'sha256:bench', createdAt: '2026-11-28T15:30:00.000Z' }
  const formats = {} as ExportBenchResult['formats']
  for (const format of EXPORT_FORMATS) formats[format] = await timedExport(format, board, version)
  const emoji = longTextBoard(ASTRAL_TEXT)
  const texts = 2 + 2 * emoji.claims.length + emoji.assessments.length + emoji.links.length
  return {
    board: { assessments: board.assessments.length, claims: board.claims.length, links: board.links.length, sources: board.sources.length },
    formats,
    emojiPdf: { texts, ...(await timedExport('pdf', emoji, version)) },
    spacelessPdf: { texts, ...(await timedExport('pdf', longTextBoard(SPACELESS_TEXT), version)) },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchExport(), null, 2))
}
