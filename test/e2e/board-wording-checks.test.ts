/**
 * The board's own words checked in Chromium against a real server: a bottom
 * line up front typed into the board inspector that mixes PHIA wording into an
 * ICD 203 board and puts a likelihood and a confidence in one sentence is
 * listed among the board's checks, right under the field where it is edited,
 * naming the text the words are in.
 */
import { it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'

describeInBrowser('checks on the board’s bottom line', () => {
  const suite = browserSuite()

  it('lists the BLUF’s findings under the BLUF, naming the bottom line as where the words are', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const { boardId } = await createBoardFor(suite.server, owner, 'Border build-up')
    const { page } = await suite.personOn(owner, boardId)
    const checks = page.locator('[data-board-checks]')
    await checks.waitFor()
    await page.getByRole('textbox', { name: 'Bottom line up front' }).click()
    await page.keyboard.type('We assess with high confidence that an attack is almost certain. An incursion is highly likely.')
    for (const rule of ['likelihood-with-confidence', 'mixed-wording']) {
      await checks.locator(`[data-rule="${rule}"]`, { hasText: 'in the bottom line up front' }).waitFor()
    }
    await checks.locator('[data-rule="mixed-wording"] [data-fault-field="bluf"]', { hasText: 'highly likely' }).waitFor()
  })
})
