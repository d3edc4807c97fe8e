/**
 * The ACH tab on a real matrix: thirteen hypotheses with long titles at
 * 1024×768 and 1280×720. The matrix takes the board's full width (the side
 * panels are drawers), scrolls sideways and down under sticky hypothesis
 * headers that keep the full title (hover text, accessible name), shows
 * unrated cells as such, and gives plain and weighted scores that match a
 * matrix computed by hand; the columns sort by either score, the rows by
 * diagnosticity.
 */
import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { isolate } from '../../shared/bidi.ts'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, type BoardApi } from '../helpers/browser.ts'
import { horizontalOverflow, unreachable, VIEWPORTS } from '../helpers/layout.ts'
import type { AchRating, ClaimCredibility, SourceReliability } from '../../shared/domain.ts'

const SCENARIOS = [
  'the force is absorbed by the Belarusian armed forces and trains their territorial defence units',
  'most fighters redeploy to the Sahel and the Central African Republic within the year',
  'the group is dissolved and its commanders are replaced by officers loyal to the defence ministry',
  'a reconstituted force is used to pressure Lithuania and Poland along the Suwałki gap',
  'the camp at Tsel is kept as a training base for Belarusian special forces only',
  'the fighters return to Russia piecemeal and sign contracts with the defence ministry',
  'the force is split between Belarus, Africa and a presence in the southern military district',
  'the leadership is purged and the rank and file stay idle in Belarus through the winter',
  'Minsk uses the group as a bargaining chip in talks with Moscow over sovereignty',
  'the group provokes a border incident to test NATO’s reaction and resolve',
  'the camp is run down and the remaining fighters leave for private security work',
  'the force is folded into a new state-run private military company under another name',
  'the group is held in reserve as a rapid reaction force for a future crisis in Russia',
]
const TITLES = SCENARIOS.map((text, index) => `H${String(index + 1).padStart(2, '0')}: ${text}`)

/**
 * The hand-computed matrix. Evidence (weighed by credibility, relevance M): an
 * A1 claim (weight √2), a C3 claim (1), an F6 claim (1/√2) and another C3 claim
 * rated C everywhere (non-diagnostic). Hypothesis i is rated:
 *   A1: I, C, II by i mod 3;  C3: II for even i, CC for odd;
 *   F6: I for i < 6, unrated for 6 ≤ i < 12, NA for i = 12;  the other C3: C.
 * Inconsistency = I × 1 + II × 2; weighted = −Σ weight × (I 1, II 2).
 */
function ratingsOf(i: number): { a1: AchRating; c3: AchRating; f6: AchRating | null; same: AchRating } {
  return { a1: (['I', 'C', 'II'] as const)[i % 3]!, c3: i % 2 === 0 ? 'II' : 'CC', f6: i < 6 ? 'I' : i === 12 ? 'NA' : null, same: 'C' }
}
//                 H01    H02    H03    H04    H05    H06    H07   H08  H09   H10    H11    H12    H13
const SCORES = [4, 1, 5, 2, 3, 3, 3, 0, 4, 1, 2, 2, 3]
const WEIGHTED = ['−4.12', '−0.71', '−5.54', '−2.12', '−2.71', '−3.54', '−3.41', '0', '−4.83', '−1.41', '−2.00', '−2.83', '−3.41']
const RATED = [4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4]
// Least refuted first, ties in board order.
const BY_SCORE = ['H08', 'H02', 'H10', 'H04', 'H11', 'H12', 'H05', 'H06', 'H07', 'H13', 'H01', 'H09', 'H03']
const BY_WEIGHTED = ['H08', 'H02', 'H10', 'H11', 'H04', 'H05', 'H12', 'H07', 'H13', 'H06', 'H01', 'H09', 'H03']

async function post(api: BoardApi, path: string, body: unknown): Promise<string> {
  return (await api.post<{ id: string }>(path, body)).body.id
}

async function seedMatrix(api: BoardApi, boardId: string) {
  const at = (path: string) => `/api/boards/${boardId}/${path}`
  const source = async (name: string, reliability: SourceReliability) => post(api, at('sources'), { name, reliability })
  const [sourceA, sourceC, sourceF] = [await source('NATO', 'A'), await source('Defence analysts', 'C'), await source('Regional briefings', 'F')]
  const claim = async (text: string, sourceId: string, credibility: ClaimCredibility) => post(api, at('claims'), { text, sourceId, credibility })
  const claims = {
    a1: await claim('Satellite imagery shows the Tsel camp at full occupancy in August.', sourceA, 1),
    c3: await claim('Recruiters for the group were seen in Bangui and Bamako in September.', sourceC, 3),
    f6: await claim('Local reports say fighters are buying winter clothing in Osipovichi.', sourceF, 6),
    same: await claim('The group’s leadership has made no public statement since July.', sourceC, 3),
  }
  const hypotheses: string[] = []
  for (const title of TITLES) hypotheses.push(await post(api, at('assessments'), { title, kind: 'hypothesis' }))
  for (const [i, assessmentId] of hypotheses.entries()) {
    for (const [key, rating] of Object.entries(ratingsOf(i)) as [keyof typeof claims, AchRating | null][]) {
      if (rating) await post(api, at('links'), { assessmentId, claimId: claims[key], rating })
    }
  }
  // Claims not rated against any hypothesis yet: "All active claims" lists them, enough to scroll down.
  for (let n = 1; n <= 12; n++) await claim(`Unrated report number ${n} on movements near the border.`, sourceC, 3)
  return { claims, hypotheses }
}

function headerOrder(page: Page): Promise<string[]> {
  return page.locator('table.ach thead th.hypothesis button').evaluateAll((buttons) => buttons.map((b) => (b.textContent ?? '').slice(0, 3)))
}

describeInBrowser('the ACH tab on a large matrix', () => {
  const suite = browserSuite()

  it('13 hypotheses: full width, readable sticky headers, scrolling both ways, unrated cells, hand-computed scores, sorting', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Wagner in Belarus: competing hypotheses')
    const { claims, hypotheses } = await seedMatrix(api, boardId)
    const person = await suite.person(owner)
    const { page } = person
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport)
      await openBoard(person, suite.server, boardId)
      await page.getByRole('tab', { name: 'ACH' }).click()
      const table = page.locator('table.ach')
      await table.waitFor()
      const scroller = page.locator('.matrix-scroll')

      // Full width: the side panels are drawers, closed; the page does not scroll sideways, the matrix does.
      expect(await page.locator('aside[aria-label="Sources and claims"]').isVisible()).toBe(false)
      expect(await page.locator('aside[aria-label="Inspector"]').isVisible()).toBe(false)
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      const scroll = await scroller.evaluate((element) => ({ width: element.scrollWidth, client: element.clientWidth }))
      expect(scroll.width).toBeGreaterThan(scroll.client)

      // Every header is wide enough to read, and has its full title as hover text (isolated, as member text) and as its accessible name.
      const headers = table.locator('thead th.hypothesis')
      expect(await headers.count()).toBe(13)
      for (const [i, title] of TITLES.entries()) {
        const header = table.locator(`thead th[data-hypothesis="${hypotheses[i]}"]`)
        expect((await header.boundingBox())!.width).toBeGreaterThanOrEqual(120)
        const button = header.getByRole('button', { name: title, exact: true })
        expect(await button.getAttribute('title')).toBe(isolate(title))
        const lines = await button.evaluate((element) => Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)))
        expect(lines).toBeLessThanOrEqual(3)
      }

      // The hand-computed scores, and how many cells each is rated on.
      for (const [i, hypothesis] of hypotheses.entries()) {
        const score = table.locator(`tfoot td.score[data-hypothesis="${hypothesis}"]:not(.weighted)`)
        expect(await score.getAttribute('data-score')).toBe(String(SCORES[i]))
        expect(await score.getAttribute('data-rated')).toBe(String(RATED[i]))
        expect(await score.getAttribute('data-unrated')).toBe(String(4 - RATED[i]!))
        expect(await score.innerText()).toContain(`${RATED[i]} of 4 rated`)
        expect(await table.locator(`tfoot td.weighted[data-hypothesis="${hypothesis}"]`).getAttribute('data-weighted-score')).toBe(WEIGHTED[i])
      }
      expect(await table.locator('tfoot td[data-least-refuted="true"]').getAttribute('data-hypothesis')).toBe(hypotheses[7])
      await table.locator('tfoot td[data-least-refuted="true"]', { hasText: 'least refuted so far' }).waitFor()
      // The F6 claim's six unrated cells are shown as such, and say so to a screen reader.
      const unrated = table.locator(`tr[data-claim="${claims.f6}"] td.unrated-cell`)
      expect(await unrated.count()).toBe(6)
      expect(await unrated.first().locator('.rating-button').getAttribute('aria-label')).toMatch(/: not rated$/)

      // Scrolled to the far right: the evidence column stays, the last hypothesis is in view and can be clicked.
      const evidenceLeft = async () => (await table.locator(`tr[data-claim="${claims.a1}"] th`).boundingBox())!.x
      const leftBefore = await evidenceLeft()
      await scroller.evaluate((element) => element.scrollTo({ left: element.scrollWidth }))
      await page.waitForFunction(() => {
        const element = document.querySelector('.matrix-scroll')!
        return element.scrollLeft + element.clientWidth >= element.scrollWidth - 1
      })
      expect(Math.abs((await evidenceLeft()) - leftBefore)).toBeLessThan(1)
      const lastHeader = table.locator(`thead th[data-hypothesis="${hypotheses[12]}"] button`)
      const scrollerBox = (await scroller.boundingBox())!
      expect((await lastHeader.boundingBox())!.x + (await lastHeader.boundingBox())!.width).toBeLessThanOrEqual(scrollerBox.x + scrollerBox.width)
      expect(await unreachable(lastHeader)).toBeNull()

      // Every active claim listed: the matrix scrolls down, and the headers stay at its top.
      await page.getByLabel('All active claims').check()
      await table.locator('tbody tr').nth(15).waitFor()
      const headerTop = async () => (await table.locator(`thead th[data-hypothesis="${hypotheses[12]}"]`).boundingBox())!.y
      const topBefore = await headerTop()
      const scrolledDown = await scroller.evaluate((element) => {
        element.scrollTop = element.scrollHeight
        return element.scrollTop
      })
      expect(scrolledDown).toBeGreaterThan(0)
      expect(Math.abs((await headerTop()) - topBefore)).toBeLessThan(1)
      await saveScreenshot(page, `ach-13-hypotheses-${viewport.width}x${viewport.height}`)
      await page.getByLabel('All active claims').uncheck()

      // Sorted by score, then by weighted score: least refuted first, ties in board order.
      await page.getByLabel('Hypotheses', { exact: true }).selectOption('score')
      await page.waitForFunction((first) => document.querySelector('table.ach thead th.hypothesis button')?.textContent?.startsWith(first), BY_SCORE[0]!)
      expect(await headerOrder(page)).toEqual(BY_SCORE)
      await page.getByLabel('Hypotheses', { exact: true }).selectOption('weighted')
      await page.waitForFunction(
        (order) => [...document.querySelectorAll('table.ach thead th.hypothesis button')].map((b) => b.textContent?.slice(0, 3)).join() === order,
        BY_WEIGHTED.join(),
      )
      // The scores moved with their columns.
      expect(await table.locator('tfoot td.weighted').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-weighted-score')))).toEqual(
        BY_WEIGHTED.map((label) => WEIGHTED[Number(label.slice(1)) - 1]),
      )
      // Evidence by diagnosticity: C3 (II and CC: spread 4), A1 (II to C: 3), the incomplete F6, the one rated alike everywhere.
      await page.getByLabel('Evidence', { exact: true }).selectOption('diagnosticity')
      const rowOrder = [claims.c3, claims.a1, claims.f6, claims.same]
      await page.waitForFunction((first) => document.querySelector('table.ach tbody tr')?.getAttribute('data-claim') === first, rowOrder[0]!)
      expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-claim')))).toEqual(rowOrder)
      await page.getByLabel('Hypotheses', { exact: true }).selectOption('board')
      await page.getByLabel('Evidence', { exact: true }).selectOption('board')

      // A hypothesis clicked opens in the inspector, a drawer over the matrix.
      await table.locator(`thead th[data-hypothesis="${hypotheses[0]}"] button`).click()
      await page.locator(`aside[aria-label="Inspector"] [data-inspecting="${hypotheses[0]}"]`).waitFor()
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      await page.keyboard.press('Escape')
      await page.locator('aside[aria-label="Inspector"]').waitFor({ state: 'hidden' })
    }
    // Two window sizes on a loaded machine.
  }, 150_000)
})
