/**
 * Two people typing in one plain text field (a claim's note), their writes
 * crossing again and again, while two colleagues who may edit watch the same
 * claim: the note ends with each typist's words exactly once, on every page
 * and stored. Every watching page used to merge each crossing it saw and save
 * the merge, which crossed the typists' next saves and was merged again as
 * new words: Bo's words 13 times, words split and interleaved (red team 40c).
 *
 * The crossings are driven, not hoped for. Ana's page is offline while both
 * type, so both write over the same stored note, Bo's first. Who types and who watches
 * is chosen by the pages' client ids, which order writes made over one value
 * (the higher kept): Bo's is the lowest, so his write is the one dropped (the
 * watchers then see it dropped, its words still readable, and merge), and
 * the watchers' are the highest, so a merge a watcher wrote over Ana's kept
 * write would outrank everything written over it since. What the watchers'
 * pages send is held back (routeWebSocket) from each crossing until both
 * typists have typed on, as a busy network delays it.
 */
import type { Page, WebSocketRoute } from 'playwright-core'
import { expect, it } from 'vitest'
import { addToken } from '../helpers/accounts.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, seedBoard, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

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
  const suite = browserSuite({ olga: 'Olga Owner', ana: 'Ana Petrova', bo: 'Bo Lindqvist', cem: 'Cem Arslan' })

  const note = (person: Person, claim: string) => person.page.locator(`[data-inspecting="${claim}"]`).getByRole('textbox', { name: 'Analyst’s note' })

  /** The pages ordered by their client ids (as the board's presence shows them, read by a client of the owner's), lowest first. */
  async function byClientId(people: Person[], boardId: string, owner: Person): Promise<Person[]> {
    const reader = connectClient(suite.server.wsUrl, boardId, { token: (await addToken(suite.server, owner.account)).token })
    try {
      await reader.synced()
      const ids = await waitFor(() => {
        const byName = new Map<string, number>()
        for (const [client, state] of reader.provider.awareness.getStates()) {
          const name = (state as { user?: { name?: unknown } }).user?.name
          if (client !== reader.doc.clientID && typeof name === 'string') byName.set(name, client)
        }
        return people.every((person) => byName.has(person.name)) ? byName : null
      }, 'every page’s presence')
      return [...people].sort((a, b) => ids.get(a.name)! - ids.get(b.name)!)
    } finally {
      reader.destroy()
    }
  }

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

    const everyone = await Promise.all([olgaAccount, anaAccount, boAccount, cemAccount].map((account) => suite.person(account)))
    const sockets = everyone.map((person) => heldSocket(person.page))
    for (const socket of sockets) await socket.routed
    for (const person of everyone) {
      await openBoard(person, suite.server, boardId)
      await person.page.locator(`[data-claim-id="${claim}"]`).click()
    }
    // Bo: the typist whose writes are dropped; Ana: the one whose are kept; the watchers outrank both.
    const [bo, ana, ...watching] = await byClientId(everyone, boardId, everyone[0]!)
    const watchers = watching.map((person) => ({ person, socket: sockets[everyone.indexOf(person)]! }))
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
      await note(person, claim).and(person.page.locator('[data-draft="false"]')).waitFor()
    }
    const stored = (...words: string[]) =>
      waitFor(async () => {
        const text = await storedNote()
        return words.every((word) => text.includes(word))
      }, `${words.join(', ')} stored`, 20_000)

    const anaWords: string[] = []
    const boWords: string[] = []
    /** Every page shows the stored note, and it is `expected`; else says what each held. */
    const converged = (expected: string, what: string) =>
      waitFor(async () => {
        const shown = await Promise.all(everyone.map((person) => note(person, claim).inputValue()))
        return shown.every((text) => text === expected) && (await storedNote()) === expected
      }, `${what}: ${JSON.stringify(expected)} on every page and stored`, 20_000).catch(async (error: unknown) => {
        const shown = await Promise.all(everyone.map(async (person) => `${person.name}: ${JSON.stringify(await note(person, claim).inputValue())}`))
        throw new Error(`${String(error)}; stored ${JSON.stringify(await storedNote())}; ${shown.join('; ')}`)
      })
    const offline = async (person: Person) => {
      await person.context.setOffline(true)
      await person.page.locator('[role="status"][data-link="offline"]').waitFor()
    }
    for (let round = 1; round <= ROUNDS; round++) {
      // Both write over the same stored note: Bo's words stored, Ana's handed to the copy of her page, offline.
      await offline(ana!)
      await typeAtStart(bo!, `BO-${round} `)
      await stored(`BO-${round}`)
      await typeAtEnd(ana!, ` ANA-${round}`)
      for (const { socket } of watchers) socket.hold()
      await ana!.context.setOffline(false)
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
      await converged(expected, `round ${round}`)
    }

    // A last crossing where both write at the same place: Bo's page, whose write is dropped, tells him who crossed it.
    await offline(ana!)
    await typeAtStart(bo!, 'BO-SAME ')
    await stored('BO-SAME')
    await typeAtStart(ana!, 'ANA-SAME ')
    await ana!.context.setOffline(false)
    await stored('ANA-SAME', 'BO-SAME')
    const final = await waitFor(async () => {
      const text = await storedNote()
      const shown = await Promise.all(everyone.map((person) => note(person, claim).inputValue()))
      return shown.every((value) => value === text) && text.includes('BO-SAME') ? text : null
    }, 'every page showing the stored note', 20_000)
    for (const word of [...anaWords, ...boWords, 'ANA-SAME', 'BO-SAME', BASE_NOTE]) expect(final.split(word.trim())).toHaveLength(2)

    const notices = async (person: Person) => (await person.page.locator('[data-merged-notice]').allInnerTexts()).join(' | ')
    // Bo is told who crossed him, by the name of the colleague whose words his page merged; Ana, whose write was kept, needs no word.
    await bo!.page.locator('[data-merged-notice]').waitFor()
    expect(await notices(bo!)).toBe(`${ana!.name} changed this field at the same time as you; both texts are kept. OK`)
    expect(await notices(ana!)).toBe('')
    for (const { person } of watchers) {
      expect(await notices(person)).toBe('')
      expect(await person.page.getByText(/at the same time/).count()).toBe(0)
    }
  }, 240_000)
})
