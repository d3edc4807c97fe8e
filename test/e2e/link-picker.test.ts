/**
 * "Link a claim" from an assessment: a searchable picker driven by the
 * keyboard, linking several claims at once as one change that one undo takes
 * back, for the other person too.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, waitSaved } from '../helpers/browser.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { quoted } from '../../shared/bidi.ts'


describeInBrowser('the claim picker', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  it('finds claims by their words, links two with one rating by keyboard alone, and one undo takes both back', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Picker', [{ account: suite.accounts.bo, role: 'editor' }])
    expect((await api.post(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })).status).toBe(200)
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner is absorbed by the MoD' })).body.id
    const claims = (await boardModel(api, boardId)).claims
    const wanted = claims.filter((c) => /Russia/.test(c.text)).slice(0, 2)
    expect(wanted).toHaveLength(2)

    const ana = await suite.person(suite.accounts.ana)
    const bo = await suite.person(suite.accounts.bo)
    await Promise.all([openBoard(ana, suite.server, boardId), openBoard(bo, suite.server, boardId)])
    const { page } = ana
    await page.locator(`#card-${card}`).click()
    await page.getByRole('button', { name: 'Link a claim…' }).click()
    const dialog = page.getByRole('dialog', { name: `Link claims to ${quoted('Wagner is absorbed by the MoD')}` })
    await dialog.waitFor()
    const search = dialog.getByRole('combobox', { name: 'Search claims' })
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'combobox')

    // Search narrows the list; Enter picks the option under the cursor, ↓ moves it.
    await page.keyboard.type(wanted[0]!.text.split(' ').slice(0, 6).join(' '))
    await dialog.locator(`[data-pick-claim="${wanted[0]!.id}"]`).waitFor()
    expect(await search.getAttribute('aria-activedescendant')).toMatch(new RegExp(`${wanted[0]!.id}$`))
    await page.keyboard.press('Enter')
    await search.fill('Russia')
    const options = dialog.getByRole('option')
    await waitFor(async () => (await options.count()) >= 2, 'the claims on Russia listed')
    const ids = await options.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-pick-claim')))
    for (let i = 0; i < ids.indexOf(wanted[1]!.id); i++) await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    expect(await dialog.getByRole('option', { selected: true }).count()).toBe(2)
    await dialog.getByText('2 picked').waitFor()

    // Ctrl+Enter before a rating says what is missing, where it did nothing.
    await page.keyboard.press('Control+Enter')
    await dialog.getByText('Choose a rating to link the picked claims: Tab to the ratings, then the arrow keys.').waitFor()
    // Tab to the rating, choose with the arrows (the first arrow chooses the option in focus, CC, not the one after it), link with Ctrl+Enter.
    await page.keyboard.press('Tab')
    await page.keyboard.press('ArrowRight')
    await dialog.getByText(/^CC: /).waitFor()
    await page.keyboard.press('ArrowRight')
    await dialog.getByText('C: consistent').waitFor()
    await saveScreenshot(page, 'claim-picker')
    await page.keyboard.press('Control+Enter')
    await dialog.waitFor({ state: 'detached' })

    const linked = async () => (await boardModel(api, boardId)).links.map((l) => [l.claimId, l.rating]).sort()
    await waitSaved(ana)
    expect(await linked()).toEqual(wanted.map((c) => [c.id, 'C']).sort())
    await waitFor(async () => (await bo.page.locator(`#card-${card}`).innerText()).includes('▲2'), 'Bo to see two supporting claims on the card')

    // Already linked claims are not offered again.
    await page.getByRole('button', { name: 'Link a claim…' }).click()
    await dialog.waitFor()
    await search.fill('Russia')
    for (const claim of wanted) expect(await dialog.locator(`[data-pick-claim="${claim.id}"]`).count()).toBe(0)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    // One undo takes back both links, for everyone.
    await page.keyboard.press('Escape')
    await page.keyboard.press('Control+z')
    await waitSaved(ana)
    await waitFor(async () => (await linked()).length === 0, 'both links undone')
    await waitFor(async () => !(await bo.page.locator(`#card-${card}`).innerText()).includes('▲2'), 'Bo to see the links gone')
  }, 90_000)
})
