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
import { unreachableAmong } from '../helpers/layout.ts'
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

  it('holds several notices in one region that leaves the board in view, names the deleter from the server’s record, and dismisses them in turn', async () => {
    const { ana, bo } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, 'Deleted three at once', [{ account: bo, role: 'editor' }])
    const titles = ['Card A', 'Card B', 'Card C']
    const seeded = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.', assessments: [{ title: 'First card' }, ...titles.map((title) => ({ title }))] })
    const boPage = await suite.person(bo)
    await boPage.page.setViewportSize({ width: 1024, height: 768 })
    await openBoard(boPage, suite.server, boardId)
    for (const title of titles) {
      await card(boPage, title).click()
      await judgment(boPage).click()
      await boPage.page.keyboard.type(`Bo’s reading of ${title}. `)
    }
    await waitSaved(boPage)
    // Ana deletes the three over the HTTP API: no page of hers, so no presence to tell it was her.
    for (const id of seeded.assessments.slice(1)) expect((await api.delete(`/api/boards/${boardId}/assessments/${id}`)).status).toBe(204)

    const region = boPage.page.getByRole('region', { name: 'Cards deleted while you were editing them' })
    await region.getByText('3 cards were deleted while you were editing them, the newest first.').waitFor()
    for (const title of titles) await notice(boPage).filter({ hasText: `Ana Petrova deleted “${title}” while you were editing it.` }).waitFor()
    expect(await notice(boPage).evaluateAll((sections) => sections.map((s) => s.getAttribute('data-deleter-recorded')))).toEqual(['true', 'true', 'true'])
    expect(await notice(boPage).evaluateAll((sections) => sections.map((s) => s.getAttribute('data-deleted-card')))).toEqual(seeded.assessments.slice(1).reverse())

    // The notices take at most 40% of the window, the board keeps the rest, and every notice's text and buttons are reached by scrolling the region.
    const layout = await boPage.page.evaluate(() => ({
      notices: document.querySelector('[data-deleted-cards]')!.getBoundingClientRect().height,
      boardTop: document.querySelector('.columns')!.getBoundingClientRect().top,
    }))
    expect(layout.notices).toBeLessThanOrEqual(768 * 0.4 + 1)
    expect(768 - layout.boardTop).toBeGreaterThan(300)
    expect(await unreachableAmong(region.getByRole('button'))).toEqual([])
    expect(await unreachableAmong(region.locator('[data-kept-judgment]'))).toEqual([])
    expect(await region.locator('[data-kept-judgment]').evaluateAll((kept) => kept.map((k) => k.tabIndex))).toEqual([0, 0, 0])

    // Dismiss says it lets the text go; each dismissal hands the focus to the next notice, the last one back to the cards.
    const dismiss = region.getByRole('button', { name: 'Dismiss' }).first()
    expect(await dismiss.evaluate((button) => document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent)).toBe(
      'Dismissing lets your version go: copy or restore it first to keep it.',
    )
    for (const id of seeded.assessments.slice(1).reverse()) {
      const current = region.locator(`[data-deleted-card="${id}"]`)
      await current.getByRole('button', { name: 'Dismiss' }).focus()
      await boPage.page.keyboard.press('Enter')
      await current.waitFor({ state: 'detached' })
      const left = await notice(boPage).count()
      const focused = await boPage.page.evaluate(() => {
        const active = document.activeElement
        return active?.closest('[data-deleted-card]')?.getAttribute('data-deleted-card') ?? (active?.closest('[role="listbox"]') ? 'the cards' : active?.tagName)
      })
      expect(focused).toBe(left > 0 ? await notice(boPage).first().getAttribute('data-deleted-card') : 'the cards')
    }
    await region.waitFor({ state: 'detached' })
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
    // Ana has left the card by the time Bo's page hears of its deletion: presence cannot tell who deleted it, the
    // server's record of the change can (it said "Someone" before).
    await notice(bo).filter({ hasText: 'Ana Petrova deleted “Offline doomed” while you were editing it.' }).waitFor()
    expect(await notice(bo).getAttribute('data-deleter-recorded')).toBe('true')
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
