/**
 * A card and a claim row show the start of a long text, not the whole of it
 * clamped by CSS: the page lays out all an element holds, and a card of a
 * 20,000-character judgment (or 200,000, past its limit through the relay,
 * or thousands of combining marks) cost every render its whole layout. The
 * whole text stays in the inspector's field.
 */
import { expect, it } from 'vitest'
import { LIMITS } from '../../shared/limits.ts'
import { PREVIEW_CHARS } from '../../client/src/ui/preview-text.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard } from '../helpers/browser.ts'

describeInBrowser('previews of long texts', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('renders a bounded start of a long judgment on its card and of a long claim in its row', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Long texts')
    const judgment = `Start of the judgment. ${'word '.repeat(LIMITS.longText / 5 - 10)}`
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Long card', judgment })
    const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO' })).body.id
    const claim = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: `Start of the claim. ${'said '.repeat(LIMITS.longText / 5 - 10)}`, sourceId: source })).body.id
    const ana = await suite.person(suite.accounts.ana)
    await openBoard(ana, suite.server, boardId)

    const card = ana.page.locator('[role="option"][data-card-id]', { hasText: 'Long card' })
    await card.waitFor()
    const shown = await card.locator('.judgment').evaluate((element) => element.textContent ?? '')
    expect(shown.startsWith('Start of the judgment. word word')).toBe(true)
    expect(shown.length).toBeLessThanOrEqual(PREVIEW_CHARS + 1)

    const row = ana.page.locator(`[data-claim-id="${claim}"]`)
    await row.waitFor()
    const claimShown = await row.locator('.text bdi').last().evaluate((element) => element.textContent ?? '')
    expect(claimShown.startsWith('Start of the claim. said said')).toBe(true)
    expect(claimShown.length).toBeLessThanOrEqual(PREVIEW_CHARS + 1)
  })
})
