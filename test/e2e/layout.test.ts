/**
 * The board at the window sizes analysts work at: from 1024×768 up the page
 * never scrolls sideways and every control (the inspector's fields, "New
 * assessment", "Sign out") can be reached and clicked; below 1024 px the
 * cards take the whole width and the claims and the inspector open as
 * drawers. Card titles wrap to two lines instead of being cut.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { horizontalOverflow, unreachable, unreachableAmong, VIEWPORTS } from '../helpers/layout.ts'

const LONG_TITLE = 'Wagner is absorbed by the Belarusian armed forces and trains their territorial defence units near the Lithuanian border'

async function boardWithCards(suite: ReturnType<typeof browserSuite>, ownerName: string) {
  const owner = await addAccount(suite.server, { name: ownerName })
  const { boardId, api } = await createBoardFor(suite.server, owner, 'Wagner mutiny — Vilnius, a board with a title long enough to crowd the header')
  await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:AMBER', question: 'What will the Wagner force in Belarus do over the next six months, and what does it mean for Lithuania?' })
  const seeded = await seedBoard(api, boardId, {
    claim: 'Wagner fighters arrived at the Tsel camp in Belarus in July, according to satellite imagery.',
    assessments: [
      { title: LONG_TITLE, kind: 'hypothesis', judgment: 'The force stays and is folded into Belarusian units over the winter.', likelihood: 5, confidence: 'moderate', impact: 'major', claimLink: 'C' },
      { title: 'Wagner leaves for Africa', kind: 'hypothesis', judgment: 'Most fighters redeploy to the Sahel.', claimLink: 'I' },
    ],
  })
  return { owner, boardId, seeded }
}

describeInBrowser('the board at every window size', () => {
  const suite = browserSuite()

  for (const viewport of VIEWPORTS) {
    it(`fits ${viewport.width}×${viewport.height}: no sideways scrolling, every control reachable, titles on two lines`, async () => {
      const { owner, boardId, seeded } = await boardWithCards(suite, `Ana Petrova ${viewport.width}`)
      const person = await suite.person(owner)
      const { page } = person
      await page.setViewportSize(viewport)
      await openBoard(person, suite.server, boardId)
      const card = page.locator(`[data-card-id="${seeded.assessments[0]}"]`)
      await card.click()
      await page.locator(`[data-inspecting="${seeded.assessments[0]}"]`).waitFor()

      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      for (const name of [/^New assessment/, /^Sign out$/, /^Members$/, /^Snapshot/, /^Export/]) {
        expect(await unreachable(page.getByRole('button', { name }))).toBeNull()
      }
      expect(await unreachable(page.getByRole('searchbox', { name: 'Search cards and claims' }))).toBeNull()
      expect(await unreachableAmong(page.locator('aside[aria-label="Inspector"]').locator('button, input, select, [role="radio"], [contenteditable="true"]'))).toEqual([])
      expect(await unreachableAmong(page.locator('aside[aria-label="Sources and claims"]').locator('button, select'))).toEqual([])

      // The long title wraps to two lines, cut only after the second; the card's name for screen readers (its content) has all of it.
      const title = card.locator('.title')
      const lines = await title.evaluate((element) => Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)))
      expect(lines).toBe(2)
      expect(await card.textContent()).toContain(LONG_TITLE)

      // The inspector's last control, the delete button, is clicked (and cancelled).
      await page.locator('aside[aria-label="Inspector"]').getByRole('button', { name: /^Delete/ }).click()
      await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click()
      await page.locator('dialog[open]').waitFor({ state: 'detached' })
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      await saveScreenshot(page, `layout-${viewport.width}x${viewport.height}`)
      // Every control of the inspector and the claims is checked one by one: slow on a loaded machine.
    }, 120_000)
  }

  it('below 1024 px: the cards take the whole width, and the claims and the inspector open as drawers', async () => {
    const { owner, boardId, seeded } = await boardWithCards(suite, 'Ana Petrova 800')
    const person = await suite.person(owner)
    const { page } = person
    await page.setViewportSize({ width: 800, height: 900 })
    await openBoard(person, suite.server, boardId)
    const claims = page.locator('aside[aria-label="Sources and claims"]')
    const inspector = page.locator('aside[aria-label="Inspector"]')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    expect(await claims.isVisible()).toBe(false)
    expect(await inspector.isVisible()).toBe(false)
    expect((await page.locator('main.center').boundingBox())!.width).toBeGreaterThan(780)
    for (const name of [/^New assessment/, /^Sign out$/, /^Claims$/, /^Details$/]) {
      expect(await unreachable(page.getByRole('button', { name }))).toBeNull()
    }

    // The claims drawer: its controls reachable; Esc closes it.
    await page.getByRole('button', { name: 'Claims', exact: true }).click()
    await claims.waitFor()
    expect(await page.getByRole('button', { name: 'Claims', exact: true }).getAttribute('aria-expanded')).toBe('true')
    expect(await unreachableAmong(claims.locator('button, select'))).toEqual([])
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await saveScreenshot(page, 'layout-800x900-claims')
    await page.keyboard.press('Escape')
    await claims.waitFor({ state: 'hidden' })

    // Opening a card (double-click, or Enter) opens the inspector drawer at its title.
    await page.locator(`[data-card-id="${seeded.assessments[0]}"]`).dblclick()
    await inspector.locator(`[data-inspecting="${seeded.assessments[0]}"]`).waitFor()
    await page.waitForFunction(() => document.activeElement?.closest('aside[aria-label="Inspector"]') !== null)
    expect(await unreachableAmong(inspector.locator('button, input, select, [role="radio"], [contenteditable="true"]'))).toEqual([])
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await saveScreenshot(page, 'layout-800x900-inspector')
    // Esc leaves the title for the cards, and the drawer closes.
    await page.keyboard.press('Escape')
    await inspector.waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: 'Details' }).click()
    await inspector.waitFor()
  }, 120_000)
})
