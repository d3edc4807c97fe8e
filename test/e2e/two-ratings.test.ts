/**
 * A claim rated twice against one hypothesis (red team 28b; two editors
 * offline, or a link written past the mutations), opened in the browser
 * against the real server: the board's checks name the pair, the card's
 * linked claim shows the rating that counts and the one set aside, and an
 * editor's "Keep II" leaves one link of the pair on the server, rated II.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection } from '../../shared/board-doc.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, seedBoard } from '../helpers/browser.ts'
import { storeChange } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('two ratings of one pair, in the browser', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' }, { env: { ROOM_IDLE_MS: '0' } })

  it('names the pair in the board’s checks and the inspector, and keeps the rating an editor chooses', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Two ratings')
    const { claim, assessments } = await seedBoard(api, boardId, {
      claim: 'Troops moved.',
      assessments: [
        { title: 'Exercise', kind: 'hypothesis', claimLink: 'CC' },
        { title: 'Invasion', kind: 'hypothesis', claimLink: 'CC' },
      ],
    })
    const [exercise] = assessments
    const counted = (await boardModel(api, boardId)).links.find((l) => l.assessmentId === exercise)!
    await waitFor(() => !suite.server.services.rooms.loadedRooms.has(boardId) || undefined, 'the board to unload')
    const second = crypto.randomUUID()
    await storeChange(suite.server, boardId, 'ws:offline-editor', (doc) => {
      const link = new Y.Map<unknown>()
      const createdAt = new Date(Date.parse(counted.createdAt) + 1).toISOString()
      for (const [field, value] of Object.entries({ id: second, assessmentId: exercise, claimId: claim, rating: 'II', createdAt })) link.set(field, value)
      collection(doc, 'links').set(second, link)
    })

    const { page } = await suite.personOn(suite.accounts.ana, boardId)
    const finding = page.locator('[data-board-checks] [data-rule="two-ratings"]')
    await finding.waitFor()
    expect(await finding.getAttribute('data-finding')).toBe(`two-ratings:board:${exercise}:${claim}:${second}`)
    expect(await finding.textContent()).toContain('CC counts; II, another rating of the same pair, is set aside')

    await page.locator(`#card-${exercise}`).click()
    const notice = page.locator(`[data-two-ratings="${counted.id}"]`)
    await notice.waitFor()
    expect(await notice.textContent()).toContain('Two ratings of one pair: CC counts; II')
    await notice.getByRole('button', { name: 'Keep II' }).click()
    await notice.waitFor({ state: 'detached' })

    const kept = await waitFor(async () => {
      const model = await boardModel(api, boardId)
      return model.setAsideLinks === undefined ? model : null
    }, 'one link of the pair stored')
    // The counted link takes the rating kept, and the one set aside goes: two editors keeping at once write one field.
    expect(kept.links.filter((l) => l.assessmentId === exercise).map((l) => [l.id, l.rating])).toEqual([[counted.id, 'II']])
  })
})
