/**
 * A plain text field (a claim's note) whose page receives a colleague's
 * writes made one over another, over this person's own last write, in one
 * sync (review39): the field takes the last as made over its own write, seen,
 * not as one made at the same time that dropped its words, which it would
 * write in a second time.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const BASE_NOTE = 'No immediate signs.'

describeInBrowser('a plain field receiving writes made over its own together', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('keeps the last of them, without writing this person’s words again or telling of a merge', async () => {
    const { ana } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, 'Writes in one sync', [])
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    const setNote = async (note: string) => expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note })).status).toBe(200)
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note ?? ''
    await setNote(BASE_NOTE)
    const person: Person = await suite.person(ana)
    await openBoard(person, suite.server, boardId)
    const note = person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })
    await person.page.locator(`[data-claim-id="${claim}"]`).click()
    await note.click()
    await person.page.keyboard.press('End')
    await person.page.keyboard.type(' by Ana')
    await person.page.keyboard.press('Tab')
    await waitFor(async () => (await storedNote()) === `${BASE_NOTE} by Ana`, 'Ana’s note stored')
    await waitSaved(person)

    // Offline, so that both writes, each made over the one before, reach the page in one sync.
    await person.context.setOffline(true)
    await person.page.locator('[role="status"][data-link="offline"]').waitFor()
    await setNote(`${BASE_NOTE} by Ana and Bo`)
    await setNote(`${BASE_NOTE} by Ana and Bo and Cy`)
    await person.context.setOffline(false)
    await waitFor(async () => (await note.inputValue()) !== `${BASE_NOTE} by Ana`, 'the page to take the colleagues’ writes')
    await waitSaved(person)

    expect(await note.inputValue()).toBe(`${BASE_NOTE} by Ana and Bo and Cy`)
    expect(await storedNote()).toBe(`${BASE_NOTE} by Ana and Bo and Cy`)
    expect(await person.page.locator('[data-merged-notice]').count()).toBe(0)
  })
})
