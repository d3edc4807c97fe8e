/**
 * A judgment two editors merged past its limit, in the browser: one of them
 * offline, each within 20,000 characters in their own copy, the merge 20,009.
 * The card stays on the page (the browser reads the board as the server
 * does, the text cut to its limit), and its field shows the whole text with a
 * note saying the board keeps the first 20,000.
 */
import { expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import { LIMITS } from '../../shared/limits.ts'
import { addToken } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

describeInBrowser('a judgment merged past its limit', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('keeps its card on the page, its field noting that the board keeps the first 20,000 characters', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Merged')
    const start = 'x'.repeat(LIMITS.longText - 10)
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Key judgment', judgment: start })).body.id
    const ana = await suite.person(suite.accounts.ana)
    await openBoard(ana, suite.server, boardId)
    const cardOption = ana.page.locator('[role="option"][data-card-id]', { hasText: 'Key judgment' })
    await cardOption.waitFor()

    const typists = [connectClient(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, suite.accounts.ana)).token }), connectClient(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, suite.accounts.ana)).token })]
    const [a, b] = typists as [(typeof typists)[0], (typeof typists)[0]]
    try {
      await a.synced()
      await b.synced()
      b.provider.disconnect()
      assessmentText(a.doc, card, 'judgment').insert(start.length, ' Alice ad')
      assessmentText(b.doc, card, 'judgment').insert(0, 'Bob adds. ')
      b.provider.connect()
      const merged = `Bob adds. ${start} Alice ad`
      await waitFor(() => assessmentText(a.doc, card, 'judgment').toString() === merged, 'the merge to reach the other typist')
      // The page receives the merge once it is committed; the card is still listed when its note shows.
      await cardOption.click()
      await ana.page.locator('[data-over-limit]').waitFor()
      expect(await cardOption.count()).toBe(1)
      expect(await ana.page.locator('[data-over-limit]').innerText()).toContain('keeps the first 20,000')
    } finally {
      for (const typist of typists) typist.destroy()
    }
  })
})
