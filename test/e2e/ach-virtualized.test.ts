/**
 * The ACH tab on a board of 100 hypotheses × 300 claims, each claim rated
 * against one hypothesis (an editor can add that in a few batches): the tab
 * renders only the rows and columns in view, with no select in any cell (a
 * red team measured 30,100 cells, 29,905 selects and 272,172 DOM nodes, 17 s
 * of blocked main thread, before). Scrolling down and sideways shows the
 * other rows and hypotheses; a rating picked with the keyboard, and one
 * removed with the mouse, through the one rating menu, reach the board (read
 * back through the API) and its scores; axe finds nothing serious.
 */
import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { addAccount } from '../helpers/accounts.ts'
import { axeViolations, seriousOrCritical } from '../helpers/axe.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, type BoardApi } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const HYPOTHESES = 100
const CLAIMS = 300

async function batch(api: BoardApi, boardId: string, operations: unknown[]): Promise<string[]> {
  const response = await api.post<{ ids: string[] }>(`/api/boards/${boardId}/batch`, { operations })
  expect(response.status).toBe(200)
  return response.body.ids
}

/** Claim i is rated C against hypothesis i mod 100: every hypothesis has 3 of its 300 cells rated. */
async function seedLargeMatrix(api: BoardApi, boardId: string) {
  const hypotheses = await batch(
    api,
    boardId,
    Array.from({ length: HYPOTHESES }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Hypothesis ${i}`, kind: 'hypothesis' } })),
  )
  const claimOps = Array.from({ length: CLAIMS }, (_, i) => ({ op: 'add', collection: 'claims', input: { text: `Report number ${i}`, sourceId: '@s', credibility: 2 } }))
  const claims = (await batch(api, boardId, [{ op: 'add', collection: 'sources', ref: 's', input: { name: 'S', kind: 'k', reliability: 'B' } }, ...claimOps])).slice(1)
  await batch(
    api,
    boardId,
    claims.map((claimId, i) => ({ op: 'add', collection: 'links', input: { assessmentId: hypotheses[i % HYPOTHESES], claimId, rating: 'C' } })),
  )
  return { hypotheses, claims }
}

function domCounts(page: Page) {
  return page.evaluate(() => ({
    cells: document.querySelectorAll('table.ach td').length,
    selects: document.querySelectorAll('table.ach td select').length,
    relevanceSelects: document.querySelectorAll('table.ach tbody th select.relevance').length,
    cellButtons: document.querySelectorAll('table.ach .rating-button').length,
    headers: document.querySelectorAll('table.ach thead th.hypothesis').length,
    rows: document.querySelectorAll('table.ach tbody tr[data-claim]').length,
    nodes: document.getElementsByTagName('*').length,
  }))
}

async function ratingOf(api: BoardApi, boardId: string, claimId: string, assessmentId: string): Promise<string | null> {
  const link = (await boardModel(api, boardId)).links.find((l) => l.claimId === claimId && l.assessmentId === assessmentId)
  return link?.rating ?? null
}

describeInBrowser('the ACH tab on a board of 100 hypotheses × 300 claims', () => {
  const suite = browserSuite()

  it('renders a bounded window of the matrix, scrolls to the rest, and rates through the one menu', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Many hypotheses')
    const { hypotheses, claims } = await seedLargeMatrix(api, boardId)
    // axe is injected as an inline script, which the app's Content-Security-Policy refuses.
    const person = await suite.person(owner, { bypassCSP: true })
    const { page } = person
    await page.setViewportSize({ width: 1440, height: 900 })
    await openBoard(person, suite.server, boardId)
    await page.getByRole('tab', { name: 'ACH' }).click()
    const table = page.locator('table.ach')
    // Unbounded, the tab took tens of seconds to render: the counts below are what this test checks, not the time.
    await table.locator('tbody tr[data-claim]').first().waitFor({ timeout: 90_000 })

    // A window of the matrix, not 100 × 300 cells: a few dozen rows, a few dozen columns, no select in a cell.
    const counts = await domCounts(page)
    expect(counts.selects).toBe(0)
    // One relevance control per rendered row, in its header: it grows with the rows in view, not with the cells.
    expect(counts.relevanceSelects).toBe(counts.rows)
    expect(counts.rows).toBeGreaterThan(5)
    expect(counts.rows).toBeLessThanOrEqual(40)
    expect(counts.headers).toBeGreaterThan(5)
    expect(counts.headers).toBeLessThanOrEqual(30)
    expect(counts.cellButtons).toBe(counts.rows * counts.headers)
    expect(counts.cells).toBeLessThanOrEqual(1500)
    expect(counts.nodes).toBeLessThanOrEqual(8000)
    // Rows and columns in the board's order; the first of each, and the last ones, found by their place.
    const firstClaim = (await table.locator('tbody tr[aria-rowindex="2"]').getAttribute('data-claim'))!
    const firstHypothesis = (await table.locator('thead th[aria-colindex="2"]').getAttribute('data-hypothesis'))!
    expect(claims).toContain(firstClaim)
    expect(hypotheses).toContain(firstHypothesis)
    // A screen reader still hears the whole table's size: a header row, 300 rows of evidence, two rows of scores.
    expect(await table.getAttribute('aria-rowcount')).toBe(String(CLAIMS + 3))
    expect(await table.getAttribute('aria-colcount')).toBe(String(HYPOTHESES + 1))
    // The scores count every row, rendered or not: each hypothesis is rated C on 3 claims and unrated on the other 297.
    const firstScore = table.locator(`tfoot td.score[data-hypothesis="${firstHypothesis}"]:not(.weighted)`)
    expect(await firstScore.getAttribute('data-score')).toBe('0')
    expect(await firstScore.getAttribute('data-rated')).toBe('3')
    expect(await firstScore.getAttribute('data-unrated')).toBe(String(CLAIMS - 3))

    // Scrolled to the bottom right: the last claim and the last hypothesis are rendered, the first ones are not, and the window stays bounded.
    const scroller = page.locator('.matrix-scroll')
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight, left: element.scrollWidth }))
    const lastRow = table.locator(`tbody tr[aria-rowindex="${CLAIMS + 1}"]`)
    await lastRow.waitFor()
    await table.locator(`thead th[aria-colindex="${HYPOTHESES + 1}"]`).waitFor()
    const last = (await lastRow.getAttribute('data-claim'))!
    const lastHypothesis = (await table.locator(`thead th[aria-colindex="${HYPOTHESES + 1}"]`).getAttribute('data-hypothesis'))!
    const before = (await table.locator(`thead th[aria-colindex="${HYPOTHESES}"]`).getAttribute('data-hypothesis'))!
    expect(await table.locator(`tbody tr[data-claim="${firstClaim}"]`).count()).toBe(0)
    expect(await table.locator(`thead th[data-hypothesis="${firstHypothesis}"]`).count()).toBe(0)
    const scrolled = await domCounts(page)
    expect(scrolled.cells).toBeLessThanOrEqual(1500)
    expect(scrolled.nodes).toBeLessThanOrEqual(8000)
    // The last row is in view under the sticky headers, not pushed out by a wrong spacer.
    const rowBox = (await lastRow.boundingBox())!
    const box = (await scroller.boundingBox())!
    expect(rowBox.y + rowBox.height).toBeLessThanOrEqual(box.y + box.height + 1)
    expect(rowBox.y).toBeGreaterThan(box.y)

    // With the keyboard: the last claim rated II against one of the last two hypotheses it is not rated against (the menu opens on "—").
    const model = await boardModel(api, boardId)
    const target = model.links.some((link) => link.claimId === last && link.assessmentId === lastHypothesis) ? before : lastHypothesis
    const cell = lastRow.locator(`td[data-hypothesis="${target}"] .rating-button`)
    expect(await cell.getAttribute('aria-label')).toMatch(/: not rated$/)
    await cell.focus()
    await page.keyboard.press('Enter')
    const menu = page.getByRole('menu', { name: /^Rating of “\u2068Report number \d+\u2069” against \u2068Hypothesis \d+\u2069: not rated$/ })
    await menu.waitFor()
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-rating'))).toBe('')
    for (const _ of ['CC', 'C', 'N', 'I', 'II']) await page.keyboard.press('ArrowDown')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-rating'))).toBe('II')
    await page.keyboard.press('Enter')
    await menu.waitFor({ state: 'detached' })
    // Focus is back on the cell, which shows the rating; the score follows; the board has it.
    expect(await cell.evaluate((element) => element === document.activeElement)).toBe(true)
    await lastRow.locator(`td[data-hypothesis="${target}"][data-rating="II"]`).waitFor()
    await table.locator(`tfoot td.score[data-hypothesis="${target}"][data-score="2"]`).waitFor()
    await waitFor(async () => (await ratingOf(api, boardId, last, target)) === 'II', 'the II rating stored on the server')

    // Esc on another cell's menu changes nothing and returns to that cell.
    const other = table.locator(`tbody tr[aria-rowindex="${CLAIMS}"] td[data-hypothesis="${target}"] .rating-button`)
    const otherClaim = (await table.locator(`tbody tr[aria-rowindex="${CLAIMS}"]`).getAttribute('data-claim'))!
    const otherBefore = await ratingOf(api, boardId, otherClaim, target)
    await other.click()
    await page.getByRole('menu').waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('menu').waitFor({ state: 'detached' })
    expect(await other.evaluate((element) => element === document.activeElement)).toBe(true)
    expect(await ratingOf(api, boardId, otherClaim, target)).toBe(otherBefore)

    // With the mouse: the II removed again with "—".
    await cell.click()
    await page.locator('[role="menu"] [role="menuitemradio"][aria-checked="true"][data-rating="II"]').waitFor()
    await page.locator('[role="menu"] [role="menuitemradio"][data-rating=""]').click()
    await lastRow.locator(`td.unrated-cell[data-hypothesis="${target}"]`).waitFor()
    await waitFor(async () => (await ratingOf(api, boardId, last, target)) === null, 'the rating removed on the server')

    // Nothing serious for axe in the windowed table, with the menu open.
    await cell.click()
    await page.getByRole('menu').waitFor()
    expect(seriousOrCritical(await axeViolations(page))).toEqual([])
  }, 180_000)
})
