/**
 * A page open while its board is reloaded from the log (4012). An editor sends
 * two instances two different updates under one Yjs client id at the same
 * moment, and each instance resets its room to the board as the log holds it:
 * the pages that showed the content the log did not keep, having nothing
 * unsaved, drop their document and offline copy and open the board afresh,
 * and show the board as stored, after a reload too. A routine reset (a change
 * that breaks the board's document) opens it afresh the same way, and the
 * page goes on editing; a page with something unsaved keeps it and sends it
 * again.
 */
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText } from '../../shared/board-doc.ts'
import { addAccount, sessionHeaders, signIn } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { closePerson, createBoardFor, launchBrowser, openBoard, openPerson, waitSaved, type Person } from '../helpers/browser.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { forgedUpdate } from '../helpers/forged-update.ts'
import { frames, openRawSocket, type RawSocket } from '../helpers/raw-socket.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { splitMapValue } from '../helpers/split-map-value.ts'
import { storedBoard, storeUpdate, withStoredDoc } from '../helpers/stored-board.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis', 'chromium')

/** The client id both forged updates are written under. */
const FORGED_CLIENT = 0x1234567

describeUnless(missing)('a page open while its board is reloaded from the log', () => {
  const { start } = instancesAfterEach()
  let browser: Browser | undefined
  const people: Person[] = []
  const sockets: RawSocket[] = []
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate()
    for (const person of people.splice(0)) await closePerson(person)
  })
  afterAll(async () => {
    await browser?.close()
  })

  const personOn = async (server: TestServer, account: Person['account'], boardId: string) => {
    const person = await openPerson(browser!, server, account)
    people.push(person)
    await openBoard(person, server, boardId)
    return person
  }

  const shownTitles = (person: Person) => person.page.locator('[role="option"][data-card-id] .title').allTextContents()

  /** The judgment the page shows on the card. */
  const shownJudgment = (person: Person, assessmentId: string) => person.page.locator(`[data-card-id="${assessmentId}"] .judgment`).textContent()

  it('shows the board as stored on every page, and after a reload, once the log dropped what a page showed', async () => {
    const warnings: string[] = []
    const logSink = (line: string) => {
      if (/"level":(40|50)/.test(line)) warnings.push(line)
    }
    const one = await start({ accounts: true, logSink })
    const two = await start({ accounts: true, database: one.database, logSink })
    const ana = await addAccount(one, { name: 'Ana Petrova' })
    const bo = await addAccount(one, { name: 'Bo Lindqvist' })
    // The forger, whose own sockets are closed for good once they are seen writing one client id to two instances.
    const cy = await addAccount(one, { name: 'Cy Forger' })
    const { boardId, api } = await createBoardFor(one, ana, 'Forged client id', [
      { account: bo, role: 'editor' },
      { account: cy, role: 'editor' },
    ])
    const assessmentId = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Will the bridge hold?', judgment: 'Judgment.' })).body.id

    // A page on each instance: whichever update the log keeps, the other instance's page showed the one it dropped.
    const onOne = await personOn(one, ana, boardId)
    const onTwo = await personOn(two, bo, boardId)
    await Promise.all([waitSaved(onOne), waitSaved(onTwo)])

    const base = await withStoredDoc(one, boardId, (doc) => Y.encodeStateAsUpdate(doc))
    const forge = (text: string) => forgedUpdate(base, FORGED_CLIENT, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, text))
    const cookie = await signIn(one, cy)
    const forgers = await Promise.all([one, two].map((server) => openRawSocket(`${server.wsUrl}/${boardId}`, sessionHeaders(server, cookie))))
    sockets.push(...forgers)
    forgers[0]!.send(frames.update(forge('Highly likely: the bridge holds. ')))
    forgers[1]!.send(frames.update(forge('Highly unlikely: the bridge fails. ')))

    const storedJudgment = () => withStoredDoc(one, boardId, (doc) => boardToModel(doc, boardId).assessments.find((a) => a.id === assessmentId)?.judgment)
    await waitFor(async () => {
      const stored = await storedJudgment()
      return [one, two].every((server) => {
        const room = server.services.rooms.loadedRooms.get(boardId)
        return room !== undefined && room.isSaved && boardToModel(room.doc, boardId).assessments[0]?.judgment === stored
      })
    }, 'both instances on the board as stored')
    expect(warnings.some((line) => line.includes('the same client id was written to two instances'))).toBe(true)
    const stored = await storedJudgment()
    expect(stored).toMatch(/^Highly (un)?likely: .*Judgment\.$/)

    for (const person of [onOne, onTwo]) {
      await waitFor(async () => (await shownJudgment(person, assessmentId)) === stored, `${person.name}'s page to show the judgment as stored`)
      await waitSaved(person)
    }

    // The offline copy holds the board as stored too: a reload shows it, synced with the server.
    for (const person of [onOne, onTwo]) {
      await person.page.reload()
      await person.page.locator(`[data-card-id="${assessmentId}"]`).waitFor()
      await waitSaved(person)
      expect(await shownJudgment(person, assessmentId)).toBe(stored)
    }
  }, 120_000)

  /**
   * Two instances on one board, whose log holds a split value (test/helpers/split-map-value.ts)
   * written past instance one's room, so that instance two loads it; a page of Ana's on instance two,
   * `route` set up before it opens the board; and a deletion over HTTP on instance two that resets its room.
   */
  const boardToReset = async (route?: Parameters<Person['page']['routeWebSocket']>[1]) => {
    const one = await start({ accounts: true })
    const two = await start({ accounts: true, database: one.database })
    const ana = await addAccount(one, { name: 'Ana Petrova' })
    const { boardId, api } = await createBoardFor(one, ana, 'Reset')
    const targetId = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target' })).body.id
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Kept' })
    await storeUpdate(one, boardId, 'ws:anonymous', (doc) => splitMapValue(doc, targetId, 424_242))
    const editor = await openPerson(browser!, two, ana)
    people.push(editor)
    if (route) await editor.page.routeWebSocket(/\/ws\//, route)
    await openBoard(editor, two, boardId)
    await waitSaved(editor)
    // Marks the view: a board opened afresh gets a view of its own.
    await editor.page.locator('.columns').evaluate((columns) => columns.setAttribute('data-before-reset', ''))
    const onTwo = apiClient(two.url, sessionHeaders(two, await signIn(two, ana)))
    const reset = async () => expect((await onTwo.delete(`/api/boards/${boardId}/assessments/${targetId}`)).status).toBe(422)
    const storedTitles = async () => (await storedBoard(one, boardId)).assessments.map((a) => a.title).sort()
    return { editor, reset, storedTitles }
  }

  const addCard = async (person: Person, title: string) => {
    await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
    await person.page.keyboard.press('n')
    await person.page.keyboard.type(title)
    await person.page.keyboard.press('Enter')
    const card = person.page.locator('[role="option"][data-card-id]', { hasText: title })
    await card.waitFor()
    return card
  }

  it('opens the board afresh after a routine reset, and edits made after it are stored', async () => {
    const { editor, reset, storedTitles } = await boardToReset()
    await reset()
    await editor.page.locator('.columns[data-before-reset]').waitFor({ state: 'detached' })
    await waitSaved(editor)
    // The card holding the split value stays, its kind read as not assessed: the deletion that would have removed it broke the board.
    // The view opened afresh lists its cards once the board is read: waited for, not read at once.
    await expect.poll(() => shownTitles(editor), { timeout: 10_000 }).toEqual(['Target', 'Kept'])

    const written = await addCard(editor, 'Written after the reset')
    await waitSaved(editor)
    expect(await storedTitles()).toEqual(['Kept', 'Target', 'Written after the reset'])
    await editor.page.reload()
    await written.waitFor()
    await waitSaved(editor)
    expect((await shownTitles(editor)).sort()).toEqual(['Kept', 'Target', 'Written after the reset'])
  })

  it('keeps what is unsaved at a routine reset, and sends it again', async () => {
    // The page's frames are dropped while `holding`: its edit stays unsaved until a new socket's sync sends it.
    let holding = false
    const { editor, reset, storedTitles } = await boardToReset((route) => {
      const server = route.connectToServer()
      route.onMessage((message) => {
        if (!holding) server.send(message)
      })
    })
    holding = true
    await addCard(editor, 'Unsaved at the reset')
    await editor.page.locator('[role="status"][data-saved="false"]').waitFor()
    holding = false
    await reset()
    await waitFor(async () => (await storedTitles()).includes('Unsaved at the reset'), 'the unsaved card sent again and stored')
    await waitSaved(editor)
    expect(await storedTitles()).toEqual(['Kept', 'Target', 'Unsaved at the reset'])
    // Kept in the page's document: the view was not opened afresh.
    expect(await editor.page.locator('.columns[data-before-reset]').count()).toBe(1)
  })
})
