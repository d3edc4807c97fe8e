/**
 * A field focused on request (a new card's Judgment after Enter in its title)
 * kept that request's effect subscribed to presence: every presence change,
 * the person's own caret moving included, focused the field again and put
 * the caret at its end, so a word typed in the middle landed at the end
 * (review of the presence change, 33).
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('the caret after a focus request', () => {
  const suite = browserSuite()

  it('stays where the person put it while presence changes', async () => {
    const owner = await addAccount(suite.server, { name: 'Kim Keyboard' })
    const { boardId } = await createBoardFor(suite.server, owner, 'Caret')
    const { page } = await suite.personOn(owner, boardId)
    const judgment = page.locator('[aria-label="Judgment"]')
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '')

    await page.keyboard.press('n')
    await page.keyboard.type('Card')
    await page.keyboard.press('Enter')
    await waitFor(async () => (await focused()) === 'Judgment', 'the Judgment field focused after Enter')
    await page.keyboard.type('abc')
    await waitFor(async () => (await judgment.innerText()) === 'abc', 'abc typed')
    await page.keyboard.press('Home')
    await page.keyboard.type('X')
    await waitFor(async () => (await judgment.innerText()).length === 4, 'X typed')
    await page.keyboard.type('Y')
    await waitFor(async () => (await judgment.innerText()).length === 5, 'Y typed')

    expect(await judgment.innerText()).toBe('XYabc')
  }, 120_000)
})
