/**
 * A plain text field (a claim's note: a value stored whole, not a Y.Text)
 * as typed in (red team 38c): the text reaches the board without leaving the
 * field, the badge is not "Saved" while the field holds typing it has not
 * handed over, and leaving the page then asks first; Esc leaves the field
 * with the text kept; two people typing in one note at once both keep their
 * words, in the board and in both fields.
 */
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, waitSaved, type Person } from '../helpers/browser.ts'
import { LIMITS } from '../../shared/limits.ts'
import { waitFor } from '../helpers/wait-for.ts'

const BASE_NOTE = 'No immediate signs.'

describeInBrowser('plain text fields as typed in', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  async function board(title: string, people: ('ana' | 'bo')[]) {
    const { ana, bo } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, title, [{ account: bo, role: 'editor' }])
    const { claim, source } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note: BASE_NOTE })).status).toBe(200)
    const persons = await Promise.all(people.map((name) => suite.person(suite.accounts[name], { permissions: ['clipboard-read', 'clipboard-write'] })))
    await Promise.all(persons.map((person) => openBoard(person, suite.server, boardId)))
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note ?? ''
    const storedKind = async () => (await boardModel(api, boardId)).sources.find((s) => s.id === source)?.kind ?? ''
    return { api, boardId, claim, source, persons, storedNote, storedKind }
  }

  const note = (person: Person, claim: string) => person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })

  async function openNote(person: Person, claim: string) {
    await person.page.locator(`[data-claim-id="${claim}"]`).click()
    await note(person, claim).click()
    await person.page.keyboard.press('End')
  }

  it('saves typing without leaving the field, says "Saving…" while the field holds it, and keeps it over a reload', async () => {
    const { boardId, claim, persons, storedNote } = await board('Draft kept', ['ana'])
    const [ana] = persons as [Person]
    const dialogs: string[] = []
    ana.page.on('dialog', (dialog) => {
      dialogs.push(dialog.type())
      void dialog.accept()
    })
    await openNote(ana, claim)
    await ana.page.keyboard.type(' Imagery disagrees.')

    // One more key and, before the field's pause can pass, the badge and the page's leave check, in the page itself.
    const whileDrafting = await note(ana, claim).evaluate(async (field: HTMLTextAreaElement) => {
      field.value += ' Checked.'
      field.dispatchEvent(new Event('input', { bubbles: true }))
      await new Promise((resolve) => setTimeout(resolve, 0))
      const badge = document.querySelector('[role="status"][data-link]')!
      const state = { text: badge.textContent?.trim(), saved: badge.getAttribute('data-saved') }
      const leaving = new Event('beforeunload', { cancelable: true })
      window.dispatchEvent(leaving)
      return { ...state, asks: leaving.defaultPrevented }
    })
    expect(whileDrafting).toEqual({ text: 'Saving…', saved: 'false', asks: true })

    // Still in the field: the badge turns "Saved" once the server holds the text, and the text outlives a reload.
    await waitSaved(ana)
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Analyst’s note')
    expect(await storedNote()).toBe(`${BASE_NOTE} Imagery disagrees. Checked.`)
    await ana.page.reload()
    await openBoard(ana, suite.server, boardId)
    await ana.page.locator(`[data-claim-id="${claim}"]`).click()
    expect(await note(ana, claim).inputValue()).toBe(`${BASE_NOTE} Imagery disagrees. Checked.`)
    // Nothing was waiting in the field when the page went: it did not ask.
    expect(dialogs).toEqual([])
  })

  it('keeps the text when Esc leaves the field', async () => {
    const { claim, persons, storedNote } = await board('Esc keeps', ['ana'])
    const [ana] = persons as [Person]
    await openNote(ana, claim)
    await ana.page.keyboard.type(' Forty minutes of careful sourcing notes.')
    await ana.page.keyboard.press('Escape')
    const expected = `${BASE_NOTE} Forty minutes of careful sourcing notes.`
    await waitFor(async () => (await storedNote()) === expected, 'the note stored after Esc')
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null)).not.toBe('Analyst’s note')
    expect(await note(ana, claim).inputValue()).toBe(expected)
    await waitSaved(ana)
  })

  it('keeps both people’s words when two type into one note at once', async () => {
    const { claim, persons, storedNote } = await board('Two in one note', ['ana', 'bo'])
    const [ana, bo] = persons as [Person, Person]
    await Promise.all([openNote(ana, claim), openNote(bo, claim)])
    await Promise.all([ana.page.keyboard.type(' ANA-NOTE: satellite imagery disagrees.', { delay: 30 }), bo.page.keyboard.type(' BO-NOTE: NATO later confirmed.', { delay: 30 })])
    await Promise.all([ana.page.keyboard.press('Tab'), bo.page.keyboard.press('Tab')])

    const both = (text: string) => text.startsWith(BASE_NOTE) && text.includes('ANA-NOTE: satellite imagery disagrees.') && text.includes('BO-NOTE: NATO later confirmed.')
    const stored = await waitFor(async () => {
      const text = await storedNote()
      return both(text) && text
    }, 'both notes stored', 20_000)
    for (const person of [ana, bo]) {
      await waitFor(async () => (await note(person, claim).inputValue()) === stored, `${person.name}’s field to show both notes`)
      await waitSaved(person)
    }
    // The one whose change came second was told both texts were kept, and by whom.
    const told: string[] = []
    for (const [person, other] of [[ana, bo], [bo, ana]] as const) {
      const merged = person.page.locator('[data-merged-notice]')
      if ((await merged.count()) === 0) continue
      told.push(person.name)
      expect(await merged.innerText()).toContain(`${other.name} changed this field at the same time as you`)
    }
    expect(told.length).toBeGreaterThan(0)
    expect(await storedNote()).toBe(stored)
  })

  it('puts back the words of a write the document dropped, made offline at the same time as a colleague’s', async () => {
    const { claim, persons, storedNote } = await board('Crossed writes', ['ana', 'bo'])
    const [ana, bo] = persons as [Person, Person]
    await ana.page.locator(`[data-claim-id="${claim}"]`).click()
    await ana.context.setOffline(true)
    await ana.page.locator('[role="status"][data-link="offline"]').waitFor()
    await openNote(ana, claim)
    await ana.page.keyboard.type(' Ana offline: imagery disagrees.')
    await ana.page.keyboard.press('Tab')
    await openNote(bo, claim)
    await bo.page.keyboard.type(' Bo: NATO confirmed.')
    await bo.page.keyboard.press('Tab')
    await waitFor(async () => (await storedNote()).includes('Bo: NATO confirmed.'), 'Bo’s note stored')

    // Both wrote over the same value, neither seeing the other's: the document keeps one, and the field whose write it dropped merges.
    await ana.context.setOffline(false)
    const stored = await waitFor(async () => {
      const text = await storedNote()
      return text.includes('Ana offline: imagery disagrees.') && text.includes('Bo: NATO confirmed.') && text
    }, 'both notes stored', 20_000)
    for (const person of [ana, bo]) {
      await waitFor(async () => (await note(person, claim).inputValue()) === stored, `${person.name}’s field to show both notes`)
      await waitSaved(person)
    }
  })

  it('keeps the stored value and offers this person’s text to copy when both together pass the field’s limit', async () => {
    const { source, persons, storedKind } = await board('Past the limit', ['ana', 'bo'])
    const [ana, bo] = persons as [Person, Person]
    const kind = (person: Person) => person.page.locator(`[data-inspecting="${source}"]`).getByRole('textbox', { name: 'Kind' })
    const texts = new Map([
      [ana, `Ana ${'a'.repeat(LIMITS.shortText - 200)}`],
      [bo, `Bo ${'b'.repeat(LIMITS.shortText - 200)}`],
    ])
    for (const person of [ana, bo]) await person.page.locator(`[id="row-source-${source}"]`).click()
    await ana.context.setOffline(true)
    await ana.page.locator('[role="status"][data-link="offline"]').waitFor()
    for (const person of [ana, bo]) {
      await kind(person).fill(texts.get(person)!)
      await person.page.keyboard.press('Tab')
    }
    await waitFor(async () => (await storedKind()) === texts.get(bo), 'Bo’s kind stored')
    await ana.context.setOffline(false)

    // Whichever write the document keeps, the other's page shows it and offers its own text to copy.
    const told = await waitFor(async () => {
      for (const person of [ana, bo]) if ((await person.page.locator('[data-kept-text]').count()) > 0) return person
      return null
    }, 'the notice of a text past the limit')
    const other = told === ana ? bo : ana
    await waitSaved(told)
    expect(await storedKind()).toBe(texts.get(other))
    expect(await kind(told).inputValue()).toBe(texts.get(other))
    const notice = told.page.locator('[data-kept-text]')
    expect(await notice.innerText()).toContain(`${other.name} changed this field at the same time as you`)
    expect(await notice.getByRole('textbox', { name: 'Unsaved Yours' }).inputValue()).toBe(texts.get(told))
    await notice.getByRole('button', { name: 'Copy' }).click()
    await waitFor(async () => (await told.page.evaluate(() => navigator.clipboard.readText())) === texts.get(told), 'the copied text')
  })

  it('merges back a write crossed by a colleague’s after the person left the item, and names the colleague', async () => {
    const { claim, source, persons, storedNote } = await board('Crossed off screen', ['ana', 'bo'])
    const [ana, bo] = persons as [Person, Person]
    await ana.context.setOffline(true)
    await ana.page.locator('[role="status"][data-link="offline"]').waitFor()
    const texts = new Map([
      [ana, ' Ana offline: imagery disagrees.'],
      [bo, ' Bo: NATO confirmed.'],
    ])
    for (const person of [ana, bo]) {
      await openNote(person, claim)
      await person.page.keyboard.type(texts.get(person)!)
      await person.page.keyboard.press('Tab')
      // Both leave the claim at once: no field of its note is on either screen when the crossing is found.
      await person.page.locator(`[id="row-source-${source}"]`).click()
      await person.page.locator(`[data-inspecting="${source}"]`).waitFor()
      await note(person, claim).waitFor({ state: 'detached' })
    }
    await waitFor(async () => (await storedNote()).includes(texts.get(bo)!), 'Bo’s note stored')
    await ana.context.setOffline(false)

    const stored = await waitFor(async () => {
      const text = await storedNote()
      return text.includes(texts.get(ana)!) && text.includes(texts.get(bo)!) ? text : null
    }, 'both notes stored', 20_000)
    for (const person of [ana, bo]) await waitSaved(person)
    expect(stored.startsWith(BASE_NOTE)).toBe(true)
    // Whichever page's write the document dropped put it back, and says whose it was merged with.
    const toasts = await Promise.all([ana, bo].map((person) => person.page.locator('[role="status"], [role="alert"]', { hasText: 'at the same time as you' }).allInnerTexts()))
    expect(toasts.flat().some((text) => /(Ana Petrova|Bo Lindqvist) changed the Analyst’s note of the claim “Columns were seen near Minsk\.” at the same time as you: both texts are kept\./.test(text))).toBe(true)
  })

  it('keeps typing whose claim a colleague deletes, to copy', async () => {
    const { api, boardId, claim, persons, storedNote } = await board('Deleted under typing', ['ana'])
    const [ana] = persons as [Person]
    await openNote(ana, claim)
    // Ana types on, a key at a time, with no pause the field would hand the text over in, until the claim goes.
    let typed = ''
    let deleted: Promise<{ status: number }> | null = null
    const field = note(ana, claim)
    while ((await field.count()) > 0) {
      await ana.page.keyboard.type('x')
      typed += 'x'
      if (typed.length === 3) deleted = api.delete(`/api/boards/${boardId}/claims/${claim}`)
      if (typed.length > 400) throw new Error('the claim was never deleted')
    }
    expect((await deleted)?.status).toBe(204)
    expect(await storedNote()).toBe('')

    const notice = ana.page.locator('[data-kept-field-texts]')
    await notice.waitFor()
    const kept = notice.getByRole('textbox', { name: 'Unsaved Analyst’s note of the claim “Columns were seen near Minsk.”, deleted while you typed in it' })
    const text = await kept.inputValue()
    // What reached the field before it went: the stored note and the keys typed since, none of them saved.
    expect(text).toMatch(/^No immediate signs\. ?x{3,}$/)
    await notice.getByRole('button', { name: 'Copy' }).click()
    await waitFor(async () => (await ana.page.evaluate(() => navigator.clipboard.readText())) === text, 'the copied text')
    await notice.getByRole('button', { name: /^Dismiss/ }).click()
    await notice.waitFor({ state: 'detached' })
  })

  it('undoes the person’s own typing with Ctrl+Z through a colleague’s change merged in, which stays', async () => {
    const { api, boardId, claim, persons, storedNote } = await board('Undo through a merge', ['ana'])
    const [ana] = persons as [Person]
    await openNote(ana, claim)
    await ana.page.keyboard.type(' Imagery disagrees.')
    await waitFor(async () => (await storedNote()) === `${BASE_NOTE} Imagery disagrees.`, 'Ana’s typing stored')
    // A colleague's change of the note's start arrives while Ana is still in the field.
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note: `Bo: ${BASE_NOTE} Imagery disagrees.` })).status).toBe(200)
    await waitFor(async () => (await note(ana, claim).inputValue()) === `Bo: ${BASE_NOTE} Imagery disagrees.`, 'the colleague’s change in Ana’s field')
    await ana.page.keyboard.type(' Checked.')

    await ana.page.keyboard.press('Control+z')
    expect(await note(ana, claim).inputValue()).toBe(`Bo: ${BASE_NOTE} Imagery disagrees.`)
    await ana.page.keyboard.press('Control+z')
    expect(await note(ana, claim).inputValue()).toBe(`Bo: ${BASE_NOTE}`)
    await ana.page.keyboard.press('Control+Shift+z')
    expect(await note(ana, claim).inputValue()).toBe(`Bo: ${BASE_NOTE} Imagery disagrees.`)
    await waitFor(async () => (await storedNote()) === `Bo: ${BASE_NOTE} Imagery disagrees.`, 'the undone and redone text stored')
    await waitSaved(ana)
  })
})
