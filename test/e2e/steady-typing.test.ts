/**
 * A plain text field (a claim's note) typed in steadily, never pausing long
 * enough for the field's idle save: the typing still reaches the board while
 * it goes on, so a tab that dies mid-sentence loses at most a moment of it (83
 * keys over 11 s were lost whole, red team 39c). The page's clock is stopped
 * and moved on by hand between the keys, so no pause between them is ever as
 * long as the idle save waits, however busy the machine.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Less than the field's idle wait (400 ms), so the idle save alone never comes. */
const BETWEEN_KEYS_MS = 300
const TYPED = 'Columns near Asipovichy at dawn.'

describeInBrowser('a plain text field typed in without a pause', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('hands the typing to the board while it goes on', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Steady typing')
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    const person = await suite.person(suite.accounts.ana)
    const { page } = person
    await page.clock.install()
    await openBoard(person, suite.server, boardId)
    await page.locator(`[data-claim-id="${claim}"]`).click()
    await page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' }).click()
    await page.clock.pauseAt(Date.now() + 1000)

    // 32 keys over 9.6 s of the page's time, none of them 400 ms after the last.
    for (const key of TYPED) {
      await page.keyboard.type(key)
      await page.clock.runFor(BETWEEN_KEYS_MS)
    }
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note ?? ''
    const stored = await waitFor(async () => ((await storedNote()).length > 0 ? storedNote() : null), 'the typing to reach the board')
    expect(TYPED.startsWith(stored)).toBe(true)
  }, 120_000)
})
