/**
 * Esc out of a plain text field hands the focus back to where the field
 * belongs, as Esc out of a card's judgment returns it to the Assessments list:
 * a claim's and a source's fields to their row of the Claims list (in its
 * drawer where the side panels are drawers), a link's note to the list of
 * cards. It was left on the page's body, the person's place lost (red team 39c).
 */
import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** The listbox holding the focus, by its name, and the row it points at; null when the focus is elsewhere. */
function focusedList(page: Page): Promise<{ list: string | null; at: string | null } | null> {
  return page.evaluate(() => {
    const active = document.activeElement
    return active?.getAttribute('role') === 'listbox' ? { list: active.getAttribute('aria-label'), at: active.getAttribute('aria-activedescendant') } : null
  })
}

const CLAIMS = 'Claims, grouped by source'

describeInBrowser('Esc out of a plain text field', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${viewport.width} px returns the focus to the field's claim, source or card`, async () => {
      const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, `Esc from fields ${viewport.width}`)
      const seeded = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.', assessments: [{ title: 'Card E', judgment: 'J.', claimLink: 'C' }] })
      const person = await suite.person(suite.accounts.ana, { viewport })
      const { page } = person
      await openBoard(person, suite.server, boardId)
      const narrow = viewport.width < 1024
      const inspector = page.locator('aside[aria-label="Inspector"]')
      const claimsDrawer = () => (narrow ? page.getByRole('button', { name: 'Claims', exact: true }).click() : Promise.resolve())

      // A claim's note: back to the claim's row, its text kept.
      await claimsDrawer()
      await page.locator(`[data-claim-id="${seeded.claim}"]`).click()
      const note = inspector.locator(`[data-inspecting="${seeded.claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })
      if (!narrow) await note.click()
      await note.focus()
      await page.keyboard.type('Seen twice.')
      await page.keyboard.press('Escape')
      await waitFor(async () => (await focusedList(page))?.at === `row-${seeded.claim}`, 'the focus on the claim in the Claims list')
      expect(await focusedList(page)).toEqual({ list: CLAIMS, at: `row-${seeded.claim}` })
      await waitFor(async () => (await boardModel(api, boardId)).claims[0]?.note === 'Seen twice.', 'the note stored')

      // A source's kind: back to the source's row.
      await page.locator('.source').filter({ hasText: 'NATO' }).click()
      const kind = inspector.locator(`[data-inspecting="${seeded.source}"]`).getByRole('textbox', { name: 'Kind' })
      await kind.focus()
      await page.keyboard.type('Alliance')
      await page.keyboard.press('Escape')
      await waitFor(async () => (await focusedList(page))?.at === `row-source-${seeded.source}`, 'the focus on the source in the Claims list')
      expect(await focusedList(page)).toEqual({ list: CLAIMS, at: `row-source-${seeded.source}` })

      // A link's note: back to its card in the Assessments list.
      if (narrow) await page.keyboard.press('Escape')
      await page.locator(`[data-card-id="${seeded.assessments[0]}"]`).click()
      if (!narrow) await page.keyboard.press('Enter')
      const linkNote = inspector.getByRole('textbox', { name: 'Note on this link' })
      await linkNote.focus()
      await page.keyboard.type('Partly.')
      await page.keyboard.press('Escape')
      await waitFor(async () => (await focusedList(page))?.list === 'Assessments', 'the focus in the Assessments list')
      expect(await focusedList(page)).toEqual({ list: 'Assessments', at: `card-${seeded.assessments[0]}` })
    }, 120_000)
  }
})
