/**
 * Long runs without a space (a document id in a URL, a pasted hash, a name
 * typed without spaces) in a board, exported through the real server: they
 * wrap inside their cells, and no column, word or page is pushed past the
 * page's edge.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeInBrowser, launchBrowser } from '../helpers/browser.ts'
import type { OwnedBoard } from '../helpers/owned-board.ts'
import { ownerExport as exported, useOwnedBoard } from '../helpers/owned-board.ts'
import { pdfPages } from '../helpers/pdf-layout.ts'
import { tempDir } from '../helpers/test-server.ts'

const URL_ID = 'Ab3'.repeat(50)
const LONG_NAME = 'W'.repeat(120)
const LONG_KIND = 'K'.repeat(80)
const LONG_CLAIM = `Second claim ${'X'.repeat(400)}`
/** The page's left and right margins in the PDF. */
const PDF_MARGIN = 50

/** Two sources, one with a long id in its URL and one with a long name and kind; a long claim rated against two hypotheses. */
async function seedLongRuns(board: OwnedBoard): Promise<void> {
  const ok = async <T>(response: Promise<{ status: number; body: T }>) => {
    const r = await response
    expect(r.status).toBe(201)
    return r.body
  }
  const api = board.api
  const base = `/api/boards/${board.boardId}`
  const reuters = await ok(api.post<{ id: string }>(`${base}/sources`, { name: 'Reuters', kind: 'wire', reliability: 'A', url: `https://example.org/d?id=${URL_ID}` }))
  const long = await ok(api.post<{ id: string }>(`${base}/sources`, { name: LONG_NAME, kind: LONG_KIND, reliability: 'B' }))
  const first = await ok(api.post<{ id: string }>(`${base}/claims`, { text: 'Convoy seen near Brest', sourceId: reuters.id, credibility: 2 }))
  const second = await ok(api.post<{ id: string }>(`${base}/claims`, { text: LONG_CLAIM, sourceId: long.id, credibility: 1 }))
  for (const title of ['First hypothesis', 'Second hypothesis']) {
    const h = await ok(api.post<{ id: string }>(`${base}/assessments`, { title, kind: 'hypothesis' }))
    await ok(api.post(`${base}/links`, { assessmentId: h.id, claimId: first.id, rating: 'C' }))
    await ok(api.post(`${base}/links`, { assessmentId: h.id, claimId: second.id, rating: 'I' }))
  }
}

describe('long unbroken text in the PDF', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Long runs' })

  it('wraps it inside its cells, every column of every table on the page', async () => {
    await seedLongRuns(board)
    const dir = tempDir('assay-long-pdf-')
    try {
      const file = join(dir, 'briefing.pdf')
      writeFileSync(file, await exported(board, 'pdf'))
      const pages = pdfPages(file)
      for (const page of pages) {
        for (const word of page.words) {
          expect(word.xMin, word.text).toBeGreaterThanOrEqual(PDF_MARGIN - 1)
          expect(word.xMax, word.text).toBeLessThanOrEqual(page.width - PDF_MARGIN + 1)
        }
      }
      const sourcesPage = pages.find((p) => p.words.some((w) => w.text.startsWith('https://example.org/d?id=')))!
      const words = sourcesPage.words.map((w) => w.text)
      for (const shown of ['Source', 'Kind', 'Reliability', 'Claims', 'wire', 'A:', 'Completely', 'B:', 'Usually']) expect(words).toContain(shown)
      const all = pages.flatMap((p) => p.words.map((w) => w.text)).join('')
      for (const run of [URL_ID, LONG_NAME, LONG_KIND, 'X'.repeat(400)]) expect(all).toContain(run)
      // The ACH table's columns: evidence, grade, weight and both hypotheses.
      const achPage = pages.find((p) => p.words.some((w) => w.text === 'Evidence'))!
      for (const shown of ['Grade', 'Weight', 'H1', 'H2']) expect(achPage.words.map((w) => w.text)).toContain(shown)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** The longest a member may make a bottom line, a judgment or a claim (LIMITS.longText), all one word. */
const UNBROKEN = 20_000
/**
 * Far above what the export below takes with its words broken (1 to 3 s on a
 * busy machine), far below what it took without: some 17 s for the bottom
 * line alone, over a minute for the three.
 */
const EXPORT_BUDGET_MS = 20_000

/** Every word inside the page's margins, and every letter of each run read back, no other and no break opportunity (zero-width spaces read back as nothing). */
function expectRunsWhole(pages: ReturnType<typeof pdfPages>, runs: Record<string, string>): void {
  const words = pages.flatMap((page) =>
    page.words.map((word) => {
      expect(word.xMin, word.text).toBeGreaterThanOrEqual(PDF_MARGIN - 1)
      expect(word.xMax, word.text).toBeLessThanOrEqual(page.width - PDF_MARGIN + 1)
      return word.text
    }),
  )
  const text = words.join(' ')
  expect(text).not.toContain('\u200B')
  for (const run of Object.values(runs)) expect(text.split(run[0]!).length - 1).toBe(UNBROKEN)
}

describe('a 20,000-character word in the PDF', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'One long word', env: { WORKER_THREADS: '1', EXPORT_TIME_BUDGET_MS: String(EXPORT_BUDGET_MS) } })

  it('is laid out within the export job time budget, and reads back whole inside the page', async () => {
    // The first export loads the renderer's code in the thread, within its own job's budget: done before the words are set.
    await exported(board, 'pdf')
    // Letters nothing else in the briefing holds, so that each run's can be counted in the whole text.
    const runs = { bluf: 'Ж'.repeat(UNBROKEN), judgment: 'Щ'.repeat(UNBROKEN), claim: 'Ю'.repeat(UNBROKEN) }
    const base = `/api/boards/${board.boardId}`
    const created = async (path: string, body: object) => {
      const response = await board.api.post<{ id: string }>(`${base}/${path}`, body)
      expect(response.status).toBe(201)
      return response.body.id
    }
    expect((await board.api.patch(base, { bluf: runs.bluf })).status).toBe(200)
    const sourceId = await created('sources', { name: 'Reuters', kind: 'wire', reliability: 'A' })
    const claimId = await created('claims', { text: runs.claim, sourceId, credibility: 2 })
    const assessmentId = await created('assessments', { title: 'One long word', kind: 'key-judgment', judgment: runs.judgment })
    await created('links', { assessmentId, claimId, rating: 'C' })

    const dir = tempDir('assay-long-word-pdf-')
    try {
      const file = join(dir, 'briefing.pdf')
      // Over its budget the job is stopped and the export answers 422: what every run of this board got before.
      writeFileSync(file, await exported(board, 'pdf'))
      expectRunsWhole(pdfPages(file), runs)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('20,000-character words in the PDF\'s ACH table', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Long words in cells' })

  // The difference the fix makes here is time (seconds of pdfmake's layout per cell: bench/export.ts, spacelessPdf); this checks what the cells' new break opportunities must keep: every letter, inside the page.
  it('wraps them inside the cells and reads them back whole', async () => {
    const runs = { first: 'Ф'.repeat(UNBROKEN), second: 'Ы'.repeat(UNBROKEN) }
    const base = `/api/boards/${board.boardId}`
    const created = async (path: string, body: object) => {
      const response = await board.api.post<{ id: string }>(`${base}/${path}`, body)
      expect(response.status).toBe(201)
      return response.body.id
    }
    const sourceId = await created('sources', { name: 'Reuters', kind: 'wire', reliability: 'A' })
    const hypothesis = await created('assessments', { title: 'Only hypothesis', kind: 'hypothesis' })
    for (const text of Object.values(runs)) {
      const claimId = await created('claims', { text, sourceId, credibility: 2 })
      await created('links', { assessmentId: hypothesis, claimId, rating: 'C' })
    }
    const dir = tempDir('assay-long-cell-pdf-')
    try {
      const file = join(dir, 'briefing.pdf')
      writeFileSync(file, await exported(board, 'pdf'))
      const pages = pdfPages(file)
      expectRunsWhole(pages, runs)
      const achPage = pages.find((p) => p.words.some((w) => w.text === 'Evidence'))!
      for (const shown of ['Grade', 'Weight', 'H1']) expect(achPage.words.map((w) => w.text)).toContain(shown)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describeInBrowser('long unbroken text in the HTML briefing', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Long runs' })
  let browser: Browser
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser.close()
  })

  it('is no wider than a 1280 px window', async () => {
    await seedLongRuns(board)
    const html = (await exported(board, 'html')).toString('utf8')
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    try {
      const page = await context.newPage()
      await page.setContent(html)
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }))
      expect(innerWidth).toBe(1280)
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
      expect(await page.locator('.url').textContent()).toBe(`https://example.org/d?id=${URL_ID}`)
    } finally {
      await context.close()
    }
  })
})
