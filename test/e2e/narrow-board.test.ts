/**
 * The board in a phone's and a tablet's window (390 and 768 px wide): the
 * header's actions wrap onto rows of their own, so "Snapshot", "Export" and
 * "Sign out" stay in the window and work and the page never scrolls sideways
 * (at 390 px it was 679 px wide, red team 38c); a click on a card opens its
 * details, as Enter does, where the inspector is a drawer a click alone left
 * closed; so does a click on a claim or a source (it only highlighted the
 * row, red team 39c).
 */
import { expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { NARROW, horizontalOverflow, outsideTheWindow, unreachableAmong } from '../helpers/layout.ts'

async function openMenu(page: Page, button: string, menu: string): Promise<Locator> {
  await page.getByRole('button', { name: button }).click()
  const shown = page.getByRole('menu', { name: menu })
  await shown.waitFor()
  expect(await outsideTheWindow(shown)).toEqual([])
  return shown
}

describeInBrowser('the board in a narrow window', () => {
  const suite = browserSuite()

  for (const viewport of NARROW) {
    it(`at ${viewport.width} px: the header fits, Snapshot, Export and Sign out work, and a click opens a card's, a claim's and a source's details`, async () => {
      const owner = await addAccount(suite.server, { name: `Ana Petrova narrow ${viewport.width}` })
      const { boardId, api } = await createBoardFor(suite.server, owner, 'Wagner mutiny — Vilnius, a board with a title long enough to crowd the header')
      await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:AMBER+STRICT', question: 'What will the Wagner force in Belarus do over the next six months?' })
      const seeded = await seedBoard(api, boardId, {
        claim: 'Wagner fighters arrived at the Tsel camp in Belarus in July.',
        assessments: [{ title: 'Wagner units will return to Belarus', kind: 'key-judgment', judgment: 'Within 30 days.' }],
      })
      const person = await suite.person(owner, { viewport })
      const { page } = person
      await openBoard(person, suite.server, boardId)

      const header = page.locator('header.app-header')
      expect(await outsideTheWindow(header)).toEqual([])
      expect(await unreachableAmong(header.locator('button, a'))).toEqual([])
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      await saveScreenshot(page, `narrow-${viewport.width}`)

      // A click on the card opens the Details drawer at the card, the focus in it.
      const inspector = page.locator('aside[aria-label="Inspector"]')
      expect(await inspector.isVisible()).toBe(false)
      await page.locator(`[data-card-id="${seeded.assessments[0]}"]`).click()
      await inspector.locator(`[data-inspecting="${seeded.assessments[0]}"]`).waitFor()
      await page.waitForFunction(() => document.activeElement?.closest('aside[aria-label="Inspector"]') !== null)
      expect(await page.getByRole('button', { name: 'Details' }).getAttribute('aria-expanded')).toBe('true')
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      await page.keyboard.press('Escape')
      await inspector.waitFor({ state: 'hidden' })

      // So does a click on a claim, and on a source, in the Claims drawer.
      for (const [row, id] of [
        [page.locator(`[data-claim-id="${seeded.claim}"]`), seeded.claim],
        [page.locator('.source').filter({ hasText: 'NATO' }), seeded.source],
      ] as const) {
        await page.getByRole('button', { name: 'Claims', exact: true }).click()
        await row.click()
        await inspector.locator(`[data-inspecting="${id}"]`).waitFor()
        await page.waitForFunction(() => document.activeElement?.closest('aside[aria-label="Inspector"]') !== null)
        await page.keyboard.press('Escape')
        await inspector.waitFor({ state: 'hidden' })
      }

      // Snapshot: its menu in the window, a snapshot made from it.
      const snapshotMenu = await openMenu(page, 'Snapshot versions of this board', 'Snapshot')
      await snapshotMenu.getByRole('menuitem', { name: 'Make snapshot…' }).click()
      await page.getByLabel('Label').fill('Phone brief')
      await page.getByRole('button', { name: 'Make snapshot' }).click()
      await page.locator('dialog[open]').waitFor({ state: 'detached' })
      const made = (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
      expect(made.map((snapshot) => snapshot.label)).toContain('Phone brief')
      // Opened again, the menu is placed afresh, in the window, and lists it.
      await (await openMenu(page, 'Snapshot versions of this board', 'Snapshot')).getByRole('menuitem', { name: /Phone brief/ }).first().waitFor()
      await page.keyboard.press('Escape')

      // Export: its menu in the window, the dialog opened on the format picked.
      const exportMenu = await openMenu(page, 'Export the board', 'Export')
      await exportMenu.getByRole('menuitem', { name: /^JSON…/ }).click()
      const dialog = page.getByRole('dialog', { name: /^Export “/ })
      await dialog.getByRole('radio', { name: /^JSON/, checked: true }).waitFor()
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'detached' })

      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL((url) => url.pathname.startsWith('/signin'), { timeout: 15_000 })
    }, 120_000)
  }
})
