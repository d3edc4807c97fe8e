/**
 * Two people's writes of one plain text field that crossed (both made over
 * the same value; the document keeps one) are merged by the page that sees
 * them cross, though the page whose write was dropped is gone (red team 39c):
 * the colleague who wrote left before the other came back online, or the
 * page that wrote offline was reloaded, still offline, losing its record of
 * its own writes. Bo writes from a page in Node with a chosen client id, so
 * that which write the document keeps is known (Yjs keeps the higher id's).
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { addToken } from '../helpers/accounts.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, waitInPage, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

const BASE_NOTE = 'No immediate signs.'
const ANA_WORDS = ' ANA-OFFLINE-WORDS.'
const BO_WORDS = 'BO-ONLINE-WORDS. '
/** Lower than any page's random client id: Bo's write is dropped. Higher than any: Ana's is. */
const LOSES = 1
const WINS = 0xffffffff

describeInBrowser('crossed writes of a plain text field, the page of the write dropped gone', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', bo: 'Bo Lindqvist' })

  const note = (person: Person, claim: string) => person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })

  /** `notice`: what Ana's field says of the merge. */
  async function crossed(title: string, boClient: number, notice: string, whileAway: (ana: Person, claim: string) => Promise<void>) {
    const { ana: anaAccount, bo: boAccount } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, anaAccount, title, [{ account: boAccount, role: 'editor' }])
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note: BASE_NOTE })).status).toBe(200)
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note ?? ''
    const ana = await suite.person(anaAccount)
    await openBoard(ana, suite.server, boardId)
    await waitInPage(ana.page, () => navigator.serviceWorker.controller !== null, (controlled) => controlled, 'the service worker to control the page')

    await ana.context.setOffline(true)
    await ana.page.locator('[role="status"][data-link="offline"]').waitFor()
    await ana.page.locator(`[data-claim-id="${claim}"]`).click()
    await note(ana, claim).click()
    await ana.page.keyboard.press('End')
    await ana.page.keyboard.type(ANA_WORDS)
    await ana.page.keyboard.press('Tab')

    // Bo's page writes over the same stored note, is saved, and closes.
    const bo = connectClient(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, boAccount)).token })
    try {
      // Set before the socket opens: the page's presence goes by the same id (as fresh-presence-id.ts sets both).
      bo.doc.clientID = boClient
      bo.provider.awareness.clientID = boClient
      bo.provider.awareness.setLocalState({})
      await bo.synced()
      const entity = bo.doc.getMap<unknown>('claims').get(claim)
      if (!(entity instanceof Y.Map)) throw new Error('the claim is not in Bo’s copy')
      expect(entity.get('note')).toBe(BASE_NOTE)
      entity.set('note', `${BO_WORDS}${BASE_NOTE}`)
      await waitFor(async () => (await storedNote()) === `${BO_WORDS}${BASE_NOTE}`, 'Bo’s note stored')
    } finally {
      bo.destroy()
    }

    await whileAway(ana, claim)
    await ana.context.setOffline(false)
    const expected = `${BO_WORDS}${BASE_NOTE}${ANA_WORDS}`
    await waitFor(async () => (await storedNote()) === expected, 'both people’s words stored', 20_000)
    await waitSaved(ana)
    await ana.page.locator('[data-merged-notice]').waitFor()
    expect(await ana.page.locator('[data-merged-notice]').innerText()).toBe(notice)
    expect(await storedNote()).toBe(expected)
  }

  it('keeps the words of a colleague who left, when this person’s write is the one kept', async () => {
    await crossed('Colleague left', LOSES, 'A colleague changed this field at the same time as you; both texts are kept. OK', async () => {})
  })

  it('keeps the words written offline on a page reloaded offline, when the colleague’s write is the one kept', async () => {
    // The reloaded page wrote neither write (the offline one was its earlier page's): told, not "as you".
    await crossed('Reloaded offline', WINS, 'A colleague changed this field at the same time; both texts are kept. OK', async (ana, claim) => {
      await ana.page.reload()
      await ana.page.locator('[role="status"][data-link="offline"]').waitFor({ timeout: 15_000 })
      await ana.page.locator(`[data-claim-id="${claim}"]`).click()
      // The offline copy holds the write.
      await waitFor(async () => (await note(ana, claim).inputValue()) === `${BASE_NOTE}${ANA_WORDS}`, 'Ana’s words in the reloaded page')
    })
  })
})
