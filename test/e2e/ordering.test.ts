/**
 * Cards are ordered by drag and by keyboard, and two people moving cards at
 * the same moment never duplicate or lose one; claims are linked by dragging
 * them onto a card; the likelihood × impact grid places every card, live.
 */
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, type TestAccount } from '../helpers/accounts.ts'
import { closePerson, createBoardFor, launchBrowser, openBoard, openPerson, saveScreenshot, startBrowserServer, waitSaved, type Person } from '../helpers/browser.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const titlesOn = (person: Person) => person.page.locator('[data-card-id] .title').allInnerTexts()

describe('ordering, linking by drag, and the grid', () => {
  let server: TestServer
  let browser: Browser
  let anaAccount: TestAccount
  let boAccount: TestAccount
  const people: Person[] = []

  beforeAll(async () => {
    server = await startBrowserServer()
    browser = await launchBrowser()
    anaAccount = await addAccount(server, { name: 'Ana Petrova' })
    boAccount = await addAccount(server, { name: 'Bo Lindqvist' })
  })

  afterEach(async () => {
    for (const person of people.splice(0)) await closePerson(person)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.destroy()
  })

  async function board(title: string, cards: string[]) {
    const { boardId, api } = await createBoardFor(server, anaAccount, title, [{ account: boAccount, role: 'editor' }])
    const ids: Record<string, string> = {}
    for (const card of cards) ids[card] = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: card })).body.id
    const model = async () => (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    return { boardId, api, ids, model }
  }

  async function join(account: TestAccount, boardId: string) {
    const person = await openPerson(browser, server, account)
    people.push(person)
    await openBoard(person, server, boardId)
    return person
  }

  it('moves cards by drag and by keyboard; two people moving at once never lose or duplicate one', async () => {
    const { boardId, ids, model } = await board('Ordering', ['A', 'B', 'C', 'D'])
    const [ana, bo] = await Promise.all([join(anaAccount, boardId), join(boAccount, boardId)])

    // D dropped on the upper half of A goes before it.
    await ana.page.dragAndDrop(`#card-${ids.D}`, `#card-${ids.A}`, { targetPosition: { x: 40, y: 8 } })
    await waitFor(async () => (await titlesOn(bo)).join() === 'D,A,B,C', 'Bo to see D dragged to the top')

    // Alt+↓ moves the selected card one place down.
    await ana.page.locator(`#card-${ids.A}`).click()
    await ana.page.keyboard.press('Alt+ArrowDown')
    await waitFor(async () => (await titlesOn(bo)).join() === 'D,B,A,C', 'Bo to see A moved down')

    // Both move a card at the same moment: whatever order wins, both see it, with every card once.
    await bo.page.locator(`#card-${ids.C}`).click()
    await Promise.all([ana.page.keyboard.press('Alt+ArrowUp'), bo.page.keyboard.press('Alt+ArrowUp')])
    await Promise.all([ana.page.keyboard.press('Alt+ArrowUp'), bo.page.keyboard.press('Alt+ArrowUp')])
    await Promise.all([waitSaved(ana), waitSaved(bo)])
    const final = await waitFor(async () => {
      const [a, b] = [await titlesOn(ana), await titlesOn(bo)]
      return a.join() === b.join() ? a : null
    }, 'both to see the same order')
    expect([...final].sort()).toEqual(['A', 'B', 'C', 'D'])
    expect((await model()).assessments.map((a) => a.title)).toEqual(final)
  })

  it('links a claim dragged onto a card, with the rating chosen in the dialog', async () => {
    const { boardId, api, ids, model } = await board('Drag to link', ['Target card'])
    const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Allied statements', reliability: 'C' })).body.id
    const claim = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'No build-up was seen.', sourceId: source, credibility: 3 })).body.id
    const ana = await join(anaAccount, boardId)
    await ana.page.dragAndDrop(`#row-${claim}`, `#card-${ids['Target card']}`)
    const dialog = ana.page.getByRole('dialog', { name: 'Link a claim' })
    await dialog.getByRole('radio', { name: /^II:/ }).click()
    await dialog.getByRole('button', { name: 'Link' }).click()
    await ana.page.locator(`#card-${ids['Target card']} .count.contradict`, { hasText: '▼1' }).waitFor()
    await ana.page.locator('.inspector [data-link-claim]').filter({ hasText: 'No build-up was seen.' }).waitFor()
    await waitSaved(ana)
    expect((await model()).links).toMatchObject([{ assessmentId: ids['Target card'], claimId: claim, rating: 'II' }])
  })

  it('places every card in its likelihood × impact cell, live, and opens a card from it', async () => {
    const { boardId, api, ids } = await board('Grid', ['Placed card', 'Moving card'])
    await api.patch(`/api/boards/${boardId}/assessments/${ids['Placed card']}`, { likelihood: 6, impact: 'severe' })
    const ana = await join(anaAccount, boardId)
    await ana.page.getByRole('tab', { name: 'Likelihood × impact' }).click()
    await ana.page.locator('[data-cell="6:severe"]', { hasText: 'Placed card' }).waitFor()
    await ana.page.getByRole('region', { name: 'Not placed' }).getByText('Moving card').waitFor()

    // Someone else grades the other card: it moves into its cell at once.
    await api.patch(`/api/boards/${boardId}/assessments/${ids['Moving card']}`, { likelihood: 2, impact: 'minor' })
    await ana.page.locator('[data-cell="2:minor"]', { hasText: 'Moving card' }).waitFor()
    await saveScreenshot(ana.page, 'likelihood-impact-grid')

    await ana.page.locator('[data-cell="2:minor"]').getByRole('button', { name: 'Moving card' }).click()
    await ana.page.locator(`#card-${ids['Moving card']}[aria-selected="true"]`).waitFor()
    await ana.page.locator(`[data-inspecting="${ids['Moving card']}"]`).waitFor()
  })
})
