/**
 * The board's title stays readable at 1,024 px: the header's actions wrap
 * under it rather than leave it one letter ("W" of "Wagner mutiny — Vilnius",
 * 15 of 198 px, red team 37c), and its tooltip holds it whole.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard } from '../helpers/browser.ts'
import { horizontalOverflow } from '../helpers/layout.ts'

const TITLE = 'Wagner mutiny — Vilnius'

describeInBrowser('the board title in a 1,024 px window', () => {
  const suite = browserSuite()

  it('shows the whole short title, with the tooltip, and nothing scrolls sideways', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova title' })
    const { boardId, api } = await createBoardFor(suite.server, owner, TITLE)
    await api.patch(`/api/boards/${boardId}`, { question: 'How will the Wagner force in Belarus affect Lithuania over the next six months?' })
    const person = await suite.person(owner)
    const { page } = person
    await page.setViewportSize({ width: 1024, height: 768 })
    await openBoard(person, suite.server, boardId)
    const title = page.locator('header h1.board-title')
    await title.waitFor()
    const measured = await title.evaluate((e) => ({ shown: e.getBoundingClientRect().width, needed: e.scrollWidth, tooltip: e.getAttribute('title') }))
    expect(measured.needed).toBeGreaterThan(100)
    expect(measured.shown).toBeGreaterThanOrEqual(measured.needed - 1)
    expect(measured.tooltip?.replace(/[\u2066-\u2069]/g, '')).toBe(TITLE)
    const question = await page.locator('header .question').evaluate((e) => e.getBoundingClientRect().width)
    expect(question).toBeGreaterThan(200)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
  })
})
