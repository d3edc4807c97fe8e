/**
 * A card deleted by someone else while this person types in it (red team
 * 37c): their text is kept in a notice naming who deleted the card, which puts
 * it back as their card, undoable, or copies it; offline edits included. The
 * deleter's confirmation says who is in the card now. The keys typed on after
 * the field went are no shortcuts until Escape or a click, and no page error
 * comes of the field's removal (closePerson checks the pages' errors).
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, editorText, openBoard, seedBoard, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const card = (person: Person, title: string) => person.page.locator('[role="option"][data-card-id]', { hasText: title })
const judgment = (person: Person) => person.page.locator('.cm-content[aria-label="Judgment"]')
const notice = (person: Person) => person.page.locator('section.deleted-card[role="alert"]')

/** Svelte's errors, which it catches and logs rather than letting them reach the page's uncaught errors. */
function svelteErrors(person: Person): string[] {
  const logged: string[] = []
  person.page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('svelte.dev/e/')) logged.push(message.text())
  })
  return logged
}

describeInBrowser('a card deleted while someone edits it', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  async function board(title: string, cardTitle: string) {
    const { ana, bo } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, title, [{ account: bo, role: 'editor' }])
    const seeded = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.', assessments: [{ title: 'First card' }, { title: cardTitle, claimLink: 'C' }] })
    const anaPage = await suite.person(ana)
    const boPage = await suite.person(bo, { permissions: ['clipboard-read', 'clipboard-write'] })
    const boErrors = svelteErrors(boPage)
    await Promise.all([openBoard(anaPage, suite.server, boardId), openBoard(boPage, suite.server, boardId)])
    return { ana: anaPage, bo: boPage, boErrors, claim: seeded.claim, model: () => boardModel(api, boardId) }
  }

  /** `person` deletes the card; `seenBy`, if given, first sees them on it, as the notice names the deleter from presence. */
  async function deleteAs(person: Person, title: string, editing: string | null, seenBy?: Person) {
    await card(person, title).click()
    if (seenBy) await seenBy.page.locator(`[data-field-presence="${person.name}"]`).first().waitFor()
    await person.page.getByRole('button', { name: 'Delete assessment' }).click()
    const dialog = person.page.locator('dialog[open]')
    if (editing) await dialog.locator('[data-editing-now]', { hasText: `${editing} is editing it right now` }).waitFor()
    await dialog.getByRole('button', { name: 'Delete' }).click()
  }

  it('keeps the text of a card deleted under typing, names who deleted it and restores it as the typist’s card', async () => {
    const { ana, bo, boErrors, claim, model } = await board('Deleted under typing', 'Doomed card')
    await card(bo, 'Doomed card').click()
    await judgment(bo).click()
    await bo.page.keyboard.type('Draft by Bo. ')
    await waitSaved(bo)

    // Ana is told Bo is in the card before she deletes it.
    await deleteAs(ana, 'Doomed card', 'Bo Lindqvist', bo)
    await card(bo, 'Doomed card').waitFor({ state: 'detached' })
    await notice(bo).filter({ hasText: 'Ana Petrova deleted “Doomed card” while you were editing it.' }).waitFor()
    expect(await notice(bo).locator('[data-kept-judgment]').innerText()).toContain('Draft by Bo.')
    // The field's removal changed no presence inside Svelte's teardown (state_unsafe_mutation, twice, before).
    expect(boErrors).toEqual([])

    // The keys Bo types on are no shortcuts: no view switch, no new card, no dialog.
    expect(await bo.page.evaluate(() => document.activeElement?.matches('section.deleted-card'))).toBe(true)
    await bo.page.keyboard.type('and again')
    await bo.page.keyboard.press('Enter')
    expect(await bo.page.locator('[role="option"][data-card-id]').allInnerTexts()).toEqual([expect.stringContaining('First card')])
    expect(await bo.page.locator('[role="tab"][aria-selected="true"]').innerText()).toBe('Board')
    expect(await bo.page.locator('dialog[open]').count()).toBe(0)
    expect(await bo.page.locator('main[aria-label="Assessments"] input, main[aria-label="Assessments"] [contenteditable="true"]').count()).toBe(0)
    // Escape gives the shortcuts back.
    await bo.page.keyboard.press('Escape')
    await bo.page.keyboard.press('a')
    await bo.page.locator('[role="tab"][aria-selected="true"]', { hasText: 'ACH' }).waitFor()
    await bo.page.keyboard.press('a')

    await notice(bo).getByRole('button', { name: 'Copy text' }).click()
    await waitFor(async () => (await bo.page.evaluate(() => navigator.clipboard.readText())).trimEnd() === 'Doomed card\n\nDraft by Bo.', 'the copied text')

    await notice(bo).getByRole('button', { name: 'Restore as a card' }).click()
    await notice(bo).waitFor({ state: 'detached' })
    await card(ana, 'Doomed card').waitFor()
    await waitSaved(bo)
    const restored = (await model()).assessments
    expect(restored.map((a) => a.title)).toEqual(['First card', 'Doomed card'])
    expect(restored[1]!.judgment.trimEnd()).toBe('Draft by Bo.')
    expect(restored[1]!.createdBy).toBe('Bo Lindqvist')
    expect((await model()).links.filter((link) => link.assessmentId === restored[1]!.id).map((link) => [link.claimId, link.rating])).toEqual([[claim, 'C']])

    // One change of Bo's: his Ctrl+Z takes it back (his focus is in the restored card's judgment).
    await bo.page.keyboard.press('Escape')
    await bo.page.keyboard.press('Control+z')
    await card(ana, 'Doomed card').waitFor({ state: 'detached' })
  }, 120_000)

  it('keeps what was typed offline into a card deleted meanwhile, and restores it once back online', async () => {
    const { ana, bo, boErrors, model } = await board('Deleted while offline', 'Offline doomed')
    await card(bo, 'Offline doomed').click()
    await bo.context.setOffline(true)
    await bo.page.locator('[role="status"][data-link="offline"]').waitFor()
    await judgment(bo).click()
    await bo.page.keyboard.type('Ten minutes of offline analysis by Bo.')
    await waitFor(async () => (await editorText(judgment(bo))) === 'Ten minutes of offline analysis by Bo.', 'Bo’s offline text')

    await deleteAs(ana, 'Offline doomed', null)
    await waitSaved(ana)
    await bo.context.setOffline(false)
    // Ana has left the card by the time Bo's page hears of its deletion: presence cannot tell who deleted it.
    await notice(bo).filter({ hasText: 'Someone deleted “Offline doomed” while you were editing it.' }).waitFor()
    expect(await notice(bo).locator('[data-kept-judgment]').innerText()).toContain('Ten minutes of offline analysis by Bo.')
    await waitSaved(bo)
    expect((await model()).assessments.map((a) => a.title)).toEqual(['First card'])

    await notice(bo).getByRole('button', { name: 'Restore as a card' }).click()
    await card(ana, 'Offline doomed').waitFor()
    await waitSaved(bo)
    const restored = (await model()).assessments.find((a) => a.title === 'Offline doomed')
    expect(restored?.judgment).toBe('Ten minutes of offline analysis by Bo.')
    expect(boErrors).toEqual([])
  }, 120_000)
})
