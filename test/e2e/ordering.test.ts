/**
 * Cards are ordered by drag and by keyboard, and two people moving cards at
 * the same moment never duplicate or lose one; claims are linked by dragging
 * them onto a card; the likelihood × impact grid places every card, live.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const titlesOn = (person: Person) => person.page.locator('[data-card-id] .title').allInnerTexts()

describeInBrowser('ordering, linking by drag, and the grid', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  async function board(title: string, cards: string[]) {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, title, [{ account: suite.accounts.bo, role: 'editor' }])
    const ids: Record<string, string> = {}
    for (const card of cards) ids[card] = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: card })).body.id
    return { boardId, api, ids, model: () => boardModel(api, boardId) }
  }

  it('moves cards by drag and by keyboard; two people moving at once never lose or duplicate one', async () => {
    const { boardId, ids, model } = await board('Ordering', ['A', 'B', 'C', 'D'])
    const [ana, bo] = await Promise.all([suite.personOn(suite.accounts.ana, boardId), suite.personOn(suite.accounts.bo, boardId)])

    // D dropped on the upper half of A goes before it.
    await ana.page.dragAndDrop(`#card-${ids.D}`, `#card-${ids.A}`, { targetPosition: { x: 40, y: 8 } })
    await waitFor(async () => (await titlesOn(bo)).join() === 'D,A,B,C', 'Bo to see D dragged to the top')

    // Alt+↓ moves the selected card one place down.
    await ana.page.locator(`#card-${ids.A}`).click()
    await ana.page.keyboard.press('Alt+ArrowDown')
    await waitFor(async () => (await titlesOn(bo)).join() === 'D,B,A,C', 'Bo to see A moved down')

    // Both move a card at the same moment: whatever order wins, both see it, with every card once.
    await bo.page.locator(`#card-${ids.C}`).click()
    await Promise.all([ana.page.keyboard.press('Alt+ArrowUp'), bo.page.keyboard.press('Alt+ArrowUp')])
    await Promise.all([ana.page.keyboard.press('Alt+ArrowUp'), bo.page.keyboard.press('Alt+ArrowUp')])
    await Promise.all([waitSaved(ana), waitSaved(bo)])
    const final = await waitFor(async () => {
      const [a, b] = [await titlesOn(ana), await titlesOn(bo)]
      return a.join() === b.join() ? a : null
    }, 'both to see the same order')
    expect([...final].sort()).toEqual(['A', 'B', 'C', 'D'])
    expect((await model()).assessments.map((a) => a.title)).toEqual(final)
  })

  it('links a claim dragged onto a card, with the rating chosen in the dialog, and keeps the focus on its rating when re-rated into another group', async () => {
    const { boardId, api, ids, model } = await board('Drag to link', ['Target card'])
    const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Allied statements', reliability: 'C' })).body.id
    const claim = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'No build-up was seen.', sourceId: source, credibility: 3 })).body.id
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    await ana.page.dragAndDrop(`#row-${claim}`, `#card-${ids['Target card']}`)
    const dialog = ana.page.getByRole('dialog', { name: 'Link a claim' })
    await dialog.getByRole('radio', { name: /^II:/ }).click()
    await dialog.getByRole('button', { name: 'Link' }).click()
    await ana.page.locator(`#card-${ids['Target card']} .count.contradict`, { hasText: '▼1' }).waitFor()
    const row = ana.page.locator(`.inspector [data-link-claim="${claim}"]`)
    await row.waitFor()

    // Re-rated from I (contradicting) to CC (supporting) in the inspector, the link's row moves to the
    // other group and is built again there: the focus follows it to its checked CC, not to the page.
    await row.getByRole('radio', { name: /^I:/ }).click()
    await row.getByRole('radio', { name: /^I:/, checked: true }).waitFor()
    await row.getByRole('radio', { name: /^CC:/ }).click()
    await ana.page.locator(`.inspector [data-link-claim="${claim}"] [role="radio"][aria-checked="true"]`, { hasText: 'CC' }).waitFor()
    await waitFor(
      () => ana.page.evaluate((id) => document.activeElement?.matches(`.inspector [data-link-claim="${id}"] [role="radio"][aria-checked="true"]`) && document.activeElement.textContent === 'CC', claim),
      'the focus to stay on the link’s rating, now CC',
    )
    await waitSaved(ana)
    expect((await model()).links).toMatchObject([{ assessmentId: ids['Target card'], claimId: claim, rating: 'CC' }])
  })

  it('places every card in its likelihood × impact cell, live, and opens a card from it', async () => {
    const { boardId, api, ids } = await board('Grid', ['Placed card', 'Moving card'])
    await api.patch(`/api/boards/${boardId}/assessments/${ids['Placed card']}`, { likelihood: 6, impact: 'severe' })
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    await ana.page.getByRole('tab', { name: 'Likelihood × impact' }).click()
    await ana.page.locator('[data-cell="6:severe"]', { hasText: 'Placed card' }).waitFor()
    await ana.page.getByRole('region', { name: 'Not placed' }).getByText('Moving card').waitFor()

    // Someone else grades the other card: it moves into its cell at once.
    await api.patch(`/api/boards/${boardId}/assessments/${ids['Moving card']}`, { likelihood: 2, impact: 'minor' })
    await ana.page.locator('[data-cell="2:minor"]', { hasText: 'Moving card' }).waitFor()
    await saveScreenshot(ana.page, 'likelihood-impact-grid')

    await ana.page.locator('[data-cell="2:minor"]').getByRole('button', { name: 'Moving card' }).click()
    await ana.page.locator(`#card-${ids['Moving card']}[aria-selected="true"]`).waitFor()
    await ana.page.locator(`[data-inspecting="${ids['Moving card']}"]`).waitFor()
  })
})
