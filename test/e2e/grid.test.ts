/**
 * The likelihood × impact grid on a real board, at 1024×768 and 1280×720:
 * it takes the board's full width; each chip shows its card's number and its
 * title wrapped (not cut to a few characters), has the full title as hover
 * text and accessible name, and the legend under the grid gives every number
 * its full title and place.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot } from '../helpers/browser.ts'
import { horizontalOverflow, VIEWPORTS } from '../helpers/layout.ts'
import type { AssessmentInput } from '../../shared/board-model.ts'
import { isolate } from '../../shared/bidi.ts'

const CARDS: AssessmentInput[] = [
  { title: 'Wagner is absorbed by the Belarusian armed forces', likelihood: 5, impact: 'major' },
  { title: 'Most fighters redeploy to the Sahel within the year', likelihood: 5, impact: 'major' },
  { title: 'A reconstituted force pressures Lithuania along the Suwałki gap', likelihood: 2, impact: 'severe' },
  { title: 'The camp at Tsel is run down', likelihood: 6, impact: 'minor' },
  { title: 'Minsk uses the group as a bargaining chip with Moscow', likelihood: 4, impact: 'moderate' },
  { title: 'Not placed yet' },
]

describeInBrowser('the likelihood × impact grid', () => {
  const suite = browserSuite()

  it('shows numbered chips with wrapped titles and a legend, full titles on hover and for screen readers', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Wagner in Belarus: the grid')
    const ids: string[] = []
    for (const card of CARDS) ids.push((await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, card)).body.id)
    const person = await suite.person(owner)
    const { page } = person
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport)
      await openBoard(person, suite.server, boardId)
      await page.keyboard.press('g')
      const grid = page.locator('table.matrix')
      await grid.waitFor()
      expect(await page.locator('aside[aria-label="Sources and claims"]').isVisible()).toBe(false)
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)

      for (const [index, card] of CARDS.entries()) {
        const number = index + 1
        const chip = page.locator(`[data-chip="${ids[index]}"]`)
        expect(await chip.getAttribute('title')).toBe(isolate(card.title))
        expect(await chip.getAttribute('aria-label')).toBe(`${number} ${isolate(card.title)}`)
        expect(await chip.locator('.number').innerText()).toBe(String(number))
        // The title shows on up to two lines, wrapped rather than cut to a few characters.
        const shown = await chip.locator('.chip-title').evaluate((element) => ({
          visible: element.getBoundingClientRect().width > 0,
          lines: Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)),
          whole: element.scrollHeight <= element.clientHeight + 1,
        }))
        expect(shown.visible).toBe(true)
        expect(shown.lines).toBeLessThanOrEqual(2)
        if (index < 5) {
          // The legend: the number, the full title, where it sits.
          const entry = page.locator(`[data-legend="${ids[index]}"]`)
          expect(await entry.innerText()).toContain(`${number} ${card.title}`)
        }
      }
      expect(await page.locator('[data-legend]').count()).toBe(5)
      // Two cards share a cell: both chips are in it, one under the other.
      expect(await page.locator('td[data-cell="5:major"] [data-chip]').count()).toBe(2)
      await saveScreenshot(page, `grid-${viewport.width}x${viewport.height}`)

      // A chip opens its card on the board.
      await page.locator(`[data-chip="${ids[2]}"]`).click()
      await page.locator(`[data-card-id="${ids[2]}"][aria-selected="true"]`).waitFor()
    }
  }, 120_000)
})
