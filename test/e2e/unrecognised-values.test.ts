/**
 * A board stored with a field out of its range (red team 24b; written past the
 * relay, as before it refused it), opened in the browser against the real
 * server: the source and its claim are on the board, the source's reliability
 * read as not assessed (F), and the board's checks name the field, with no
 * error on the page.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection } from '../../shared/board-doc.ts'
import { browserSuite, createBoardFor, describeInBrowser, seedBoard } from '../helpers/browser.ts'
import { storeChange } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('a value the board does not recognise, in the browser', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' }, { env: { ROOM_IDLE_MS: '0' } })

  it('keeps the source and its claim, and the board’s checks name the field', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Unrecognised')
    const { source, claim } = await seedBoard(api, boardId, { claim: 'Three ships left the harbour.' })
    await waitFor(() => !suite.server.services.rooms.loadedRooms.has(boardId) || undefined, 'the board to unload')
    await storeChange(suite.server, boardId, 'ws:before-the-rule', (doc) => (collection(doc, 'sources').get(source) as Y.Map<unknown>).set('reliability', 'b'))

    const { page } = await suite.personOn(suite.accounts.ana, boardId)
    await page.locator(`[data-claim-id="${claim}"]`, { hasText: 'Three ships left the harbour.' }).waitFor()
    const finding = page.locator('[data-board-checks] [data-rule="unrecognised-value"]')
    await finding.waitFor()
    expect(await finding.getAttribute('data-finding')).toBe(`unrecognised-value:board:sources:${source}:reliability`)
    expect(await finding.textContent()).toContain('NATO')
  })
})
