/**
 * A board past its size limit, as its members see it: a banner says it is
 * full and that deleting makes room; what a person adds meanwhile waits in
 * their browser, discarded on request or sent once there is room.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const LIMIT = 65_536
/** About 9.8 KB stored a card: the seventh takes the board past 64 KiB. */
const JUDGMENT = 'An eyewitness account from the border crossing. '.repeat(200)

async function addCard(person: Person, title: string): Promise<void> {
  await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
  await person.page.keyboard.press('n')
  await person.page.keyboard.type(title)
  await person.page.keyboard.press('Enter')
  await person.page.locator('[data-card-id]', { hasText: title }).waitFor()
}

describeInBrowser('a full board', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' }, { env: { BOARD_MAX_BYTES: String(LIMIT) }, boardFullRecheckMs: 100 })

  it('is shown full to its members; an addition waits in the browser until discarded, or until deleting has made room, and is then saved', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Filling up', [{ account: suite.accounts.bo, role: 'editor' }])
    const cards: string[] = []
    for (let i = 0; i < 7; i++) {
      const created = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: `Report ${i}`, judgment: JUDGMENT })
      expect(created.status).toBe(201)
      cards.push(created.body.id)
    }
    expect(await suite.server.services.storage.log.bytes(boardId)).toBeGreaterThan(LIMIT)

    const bo = await suite.personOn(suite.accounts.bo, boardId)
    const banner = bo.page.locator('[data-board-full]')
    await banner.waitFor()
    // What is full and what makes room, in an analyst's words: a share of the limit, not bytes nobody wrote.
    expect(await banner.innerText()).toMatch(/^This board is full: it is at 10\d% of the most a board may hold, counting its editing history as well as what it shows\. Until deleting makes room, only deletions are saved: delete cards, claims, sources, documents or fields you no longer need, or text in them/)
    expect(await banner.getByRole('button').count()).toBe(0)

    await addCard(bo, 'Written while full')
    await banner.getByText('kept in this browser and sent once there is room').waitFor()
    expect(await bo.page.locator('[role="status"][data-link="connected"][data-saved="false"]').innerText()).toContain('Board full · edits kept here')
    await saveScreenshot(bo.page, 'board-full')
    await banner.getByRole('button', { name: 'Discard my unsaved changes…' }).click()
    await banner.getByRole('button', { name: 'Discard them for good' }).click()
    // The page opens the board afresh: the card is gone from this browser, its offline copy included.
    await waitSaved(bo)
    await bo.page.locator('[data-card-id]', { hasText: 'Report 6' }).waitFor()
    expect(await bo.page.locator('[data-card-id]', { hasText: 'Written while full' }).count()).toBe(0)
    await banner.waitFor()

    await addCard(bo, 'Sent once there is room')
    for (const id of cards.slice(0, 4)) expect((await api.delete(`/api/boards/${boardId}/assessments/${id}`)).status).toBe(204)
    await banner.waitFor({ state: 'detached' })
    await waitSaved(bo)
    await waitFor(async () => (await boardModel(api, boardId)).assessments.some((card) => card.title === 'Sent once there is room') || undefined, 'Bo’s card to be saved')
    expect((await boardModel(api, boardId)).assessments.map((card) => card.title).sort()).toEqual(['Report 4', 'Report 5', 'Report 6', 'Sent once there is room'])
    await openBoard(bo, suite.server, boardId)
    expect(await bo.page.locator('[data-board-full]').count()).toBe(0)
  })
})
