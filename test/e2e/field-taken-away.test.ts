/**
 * A field taken away while the person types in it (red team 40c): their role
 * changes to reviewer, or a colleague deletes the item. What they typed and
 * the server did not store is kept to copy, and only that; the notice is in
 * sight and has the focus, so keys typed on (meant for the field) switch no
 * view and start nothing.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const BASE_NOTE = 'No immediate signs.'
/** Board shortcuts for views, search and linking: none may act while the focus stands in for a field. */
const SHORTCUT_KEYS = 'agl/'

describeInBrowser('a field taken away while typed in', () => {
  const suite = browserSuite({ olga: 'Olga Owner', ana: 'Ana Editor' })

  async function board(title: string) {
    const { olga, ana } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, olga, title, [{ account: ana, role: 'editor' }])
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note: BASE_NOTE })).status).toBe(200)
    const person = await suite.person(ana)
    await openBoard(person, suite.server, boardId)
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note
    const note = person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })
    await person.page.locator(`[data-claim-id="${claim}"]`).click()
    await note.click()
    await person.page.keyboard.press('End')
    return { api, boardId, claim, person, note, storedNote }
  }

  /** Types an "x" at a time, with no pause the field would save in, until the field is gone; `meanwhile` after the third. Returns the count typed. */
  async function typeUntilGone(person: Person, field: ReturnType<Person['page']['locator']>, meanwhile: () => Promise<{ status: number }>) {
    let typed = 0
    let done: Promise<{ status: number }> | null = null
    while ((await field.count()) > 0) {
      await person.page.keyboard.type('x')
      typed++
      if (typed === 3) done = meanwhile()
      if (typed > 400) throw new Error('the field never went')
    }
    return { typed, status: (await done)?.status }
  }

  async function expectShortcutsHeld(person: Person) {
    await person.page.keyboard.type(SHORTCUT_KEYS)
    expect(await person.page.getByRole('tab', { name: 'Board' }).getAttribute('aria-selected')).toBe('true')
    expect(await person.page.locator('dialog[open]').count()).toBe(0)
    expect(await person.page.evaluate(() => document.activeElement?.getAttribute('type'))).not.toBe('search')
    expect((await person.page.locator('body').innerText()).includes('To link, select a claim')).toBe(false)
  }

  it('keeps the words typed up to the page turning read-only, only those, in a notice in sight that has the focus', async () => {
    const { api, boardId, person, note, storedNote } = await board('Demoted while typing')
    await person.page.keyboard.type(' BEFORE words.')
    await waitSaved(person)
    await person.page.keyboard.type(' ')
    const { typed, status } = await typeUntilGone(person, note, () => api.patch(`/api/boards/${boardId}/members/${suite.accounts.ana.id}`, { role: 'reviewer' }))
    expect(status).toBe(200)
    // Keys typed on, as the person would before noticing: the notice holds them.
    await expectShortcutsHeld(person)

    const notice = person.page.locator('[data-refused-edits="reviewer"][data-checking="false"]')
    await notice.waitFor()
    expect(await person.page.evaluate(() => document.activeElement?.hasAttribute('data-refused-edits'))).toBe(true)
    // In sight: the window is not scrolled and the notice starts inside it.
    expect(await person.page.evaluate(() => window.scrollY)).toBe(0)
    const box = (await notice.boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(person.page.viewportSize()!.height)
    // Every key that reached the field (the last may have come as it went), and not the saved words.
    const kept = await notice.locator('textarea').inputValue()
    expect(kept).toMatch(/^x+$/)
    expect(kept.length).toBeGreaterThanOrEqual(typed - 1)
    expect(await notice.textContent()).not.toContain('BEFORE')
    expect(await storedNote()).toBe(`${BASE_NOTE} BEFORE words.`)
  })

  it('keeps typing whose claim a colleague deletes, and the notice takes the focus and holds the shortcuts until Esc', async () => {
    const { api, boardId, claim, person, note, storedNote } = await board('Deleted under typing')
    const { status } = await typeUntilGone(person, note, () => api.delete(`/api/boards/${boardId}/claims/${claim}`))
    expect(status).toBe(204)
    await expectShortcutsHeld(person)

    const notice = person.page.locator('[data-kept-field-texts]')
    expect(await person.page.evaluate(() => document.activeElement?.hasAttribute('data-kept-field-texts'))).toBe(true)
    expect(await notice.locator('textarea').inputValue()).toMatch(/^No immediate signs\.x{3,}$/)
    expect(await storedNote()).toBeUndefined()
    // Esc gives the keys back to the board.
    await person.page.keyboard.press('Escape')
    await person.page.keyboard.press('a')
    await waitFor(async () => (await person.page.getByRole('tab', { name: 'ACH' }).getAttribute('aria-selected')) === 'true', 'A to open the ACH view')
  })
})
