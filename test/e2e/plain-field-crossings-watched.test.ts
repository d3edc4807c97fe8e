/**
 * Two people typing in one plain text field (a claim's note), their writes
 * crossing again and again, while two colleagues who may edit watch the same
 * claim: the note ends with each typist's words exactly once, on every page
 * and stored. Every watching page used to merge each crossing it saw and save
 * the merge, which crossed the typists' next saves and was merged again as
 * new words: Bo's words 13 times, words split and interleaved (red team 40c).
 *
 * The crossings are driven, not hoped for: Bo's page is offline while both
 * type, so both write over the same stored note. The watchers' pages have
 * what they send held back (routeWebSocket) from each crossing until both
 * typists have typed on, so that a merge a watcher wrote would land over the
 * typing as it did on a busy network.
 */
import type { Page, WebSocketRoute } from 'playwright-core'
import { expect, it } from 'vitest'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const BASE_NOTE = 'No immediate signs.'
const ROUNDS = 3

/** What a page sends, passed on to the server or held back until released, in order. */
function heldSocket(page: Page) {
  let holding = false
  const held: { route: WebSocketRoute; message: string | Buffer }[] = []
  const routed = page.routeWebSocket(/\/ws\//, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      if (holding) held.push({ route: server, message })
      else server.send(message)
    })
  })
  return {
    routed,
    hold: () => {
      holding = true
    },
    release: () => {
      holding = false
      for (const { route, message } of held.splice(0)) route.send(message)
    },
  }
}

describeInBrowser('crossed writes of a plain text field typed on while colleagues watch', () => {
  const suite = browserSuite({ olga: 'Olga Owner', ana: 'Ana Petrova', bo: 'Bo Lindqvist', cem: 'Cem Watcher' })

  const note = (person: Person, claim: string) => person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })

  it('ends with each typist’s words once on every page and stored, and tells only the typists', async () => {
    const { olga: olgaAccount, ana: anaAccount, bo: boAccount, cem: cemAccount } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, olgaAccount, 'Watched crossings', [
      { account: anaAccount, role: 'editor' },
      { account: boAccount, role: 'editor' },
      { account: cemAccount, role: 'editor' },
    ])
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Minsk.' })
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { note: BASE_NOTE })).status).toBe(200)
    const storedNote = async () => (await boardModel(api, boardId)).claims.find((c) => c.id === claim)?.note ?? ''

    const [olga, ana, bo, cem] = await Promise.all([olgaAccount, anaAccount, boAccount, cemAccount].map((account) => suite.person(account)))
    const watchers = [olga!, cem!].map((person) => ({ person, socket: heldSocket(person.page) }))
    for (const { socket } of watchers) await socket.routed
    const everyone = [olga!, ana!, bo!, cem!]
    for (const person of everyone) {
      await openBoard(person, suite.server, boardId)
      await person.page.locator(`[data-claim-id="${claim}"]`).click()
    }
    await note(ana!, claim).click()
    await note(bo!, claim).click()

    const typeAtStart = async (person: Person, words: string) => {
      await person.page.keyboard.press('Control+Home')
      await person.page.keyboard.type(words)
      await note(person, claim).and(person.page.locator('[data-draft="false"]')).waitFor()
    }
    const typeAtEnd = async (person: Person, words: string) => {
      await person.page.keyboard.press('Control+End')
      await person.page.keyboard.type(words)
    }
    const stored = (...words: string[]) =>
      waitFor(async () => {
        const text = await storedNote()
        return words.every((word) => text.includes(word))
      }, `${words.join(', ')} stored`, 20_000)

    const anaWords: string[] = []
    const boWords: string[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      // Both write over the same stored note: Bo's page offline, his words handed to his copy, Ana's stored.
      await bo!.context.setOffline(true)
      await bo!.page.locator('[role="status"][data-link="offline"]').waitFor()
      await typeAtStart(bo!, `BO-${round} `)
      await typeAtEnd(ana!, ` ANA-${round}`)
      await stored(`ANA-${round}`)
      for (const { socket } of watchers) socket.hold()
      await bo!.context.setOffline(false)
      await stored(`BO-${round}`, `ANA-${round}`)
      // Both type on before the watchers' pages are heard again.
      await typeAtEnd(ana!, ` ana-${round}b`)
      await stored(`ana-${round}b`)
      await typeAtStart(bo!, `bo-${round}b `)
      await stored(`bo-${round}b`)
      for (const { socket } of watchers) socket.release()
      anaWords.push(` ANA-${round}`, ` ana-${round}b`)
      boWords.unshift(`bo-${round}b `, `BO-${round} `)
      const expected = `${boWords.join('')}${BASE_NOTE}${anaWords.join('')}`
      await waitFor(async () => (await storedNote()) === expected, `round ${round} stored as ${JSON.stringify(expected)}`, 20_000).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; stored ${JSON.stringify(await storedNote())}`)
      })
      for (const person of everyone) await waitFor(async () => (await note(person, claim).inputValue()) === expected, `${person.name}’s page showing round ${round}`, 20_000)
    }

    // A last crossing where both write at the same place: the page whose write was dropped tells its person who crossed it.
    await bo!.context.setOffline(true)
    await bo!.page.locator('[role="status"][data-link="offline"]').waitFor()
    await typeAtStart(bo!, 'BO-SAME ')
    await typeAtStart(ana!, 'ANA-SAME ')
    await stored('ANA-SAME')
    await bo!.context.setOffline(false)
    await stored('ANA-SAME', 'BO-SAME')
    const final = await waitFor(async () => {
      const text = await storedNote()
      const shown = await Promise.all(everyone.map((person) => note(person, claim).inputValue()))
      return shown.every((value) => value === text) && text.includes('BO-SAME') ? text : null
    }, 'every page showing the stored note', 20_000)
    for (const word of [...anaWords, ...boWords, 'ANA-SAME', 'BO-SAME', BASE_NOTE]) expect(final.split(word.trim())).toHaveLength(2)

    const notices = async (person: Person) => (await person.page.locator('[data-merged-notice]').allInnerTexts()).join(' | ')
    const typists = [
      { person: ana!, colleague: 'Bo Lindqvist' },
      { person: bo!, colleague: 'Ana Petrova' },
    ]
    const told = await waitFor(async () => {
      const said = await Promise.all(typists.map(async ({ person }) => notices(person)))
      return said.some(Boolean) ? said : null
    }, 'a typist told of the crossing')
    typists.forEach(({ colleague }, index) => {
      if (told[index]) expect(told[index]).toBe(`${colleague} changed this field at the same time as you; both texts are kept. OK`)
    })
    for (const { person } of watchers) {
      expect(await notices(person)).toBe('')
      expect(await person.page.getByText(/at the same time/).count()).toBe(0)
    }
  }, 240_000)
})
