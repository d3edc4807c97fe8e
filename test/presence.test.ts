/**
 * Presence is owned, stamped and bounded, against the real server with real
 * accounts: a connection changes only the client ids it introduced, everyone
 * appears under their own signed-in name (reviewers marked read-only), states
 * too large or too deep are refused before anything recursive reads them, a
 * flood is coalesced, and closing a connection removes exactly what it owned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addAssessment } from '../shared/board-mutations.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { boardToModel } from '../shared/board-convert.ts'
import { CLOSE, MESSAGE_AWARENESS, presenceIdTaken } from '../shared/protocol.ts'
import { addAccount, addMember, addToken, type TestAccount } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { forgedUpdate } from './helpers/forged-update.ts'
import { deniedReasons, frames, openRawSocket, receivedPresence, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

type Person = { account: TestAccount; token: string }

describe('presence', () => {
  let server: TestServer
  let boardId: string
  let ana: Person
  let rita: Person
  let eve: Person
  const clients: TestClient[] = []
  const sockets: RawSocket[] = []

  const person = async (name: string): Promise<Person> => {
    const account = await addAccount(server, { name })
    return { account, token: (await addToken(server, account)).token }
  }
  const connect = (who: Person) => {
    const client = connectClient(server.wsUrl, boardId, { token: who.token })
    clients.push(client)
    return client
  }
  const raw = async (who: Person) => {
    const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${who.token}`)
    sockets.push(socket)
    return socket
  }
  const announce = (socket: RawSocket, clientId: number, clock: number, state: unknown) =>
    socket.send(frames.awareness([{ clientId, clock, json: JSON.stringify(state) }]))
  const stateAt = (observer: TestClient, clientId: number) => observer.provider.awareness.getStates().get(clientId) as Record<string, unknown> | undefined
  /** A state told apart by the card it is on: the relay passes on only what pages read (presence-state.ts). */
  const marked = (mark: string | number) => ({ focus: { assessmentId: String(mark), field: null } })
  const markOf = (state: Record<string, unknown> | undefined) => (state?.focus as { assessmentId?: string } | null | undefined)?.assessmentId
  const markAt = (observer: TestClient, clientId: number) => markOf(stateAt(observer, clientId))
  /** Ana's page reconnects with its client id and changes its presence: the observer sees the change, under her name. */
  const seenAgain = async (page: TestClient, observer: TestClient) => {
    page.provider.connect()
    await page.synced()
    page.provider.awareness.setLocalStateField('focus', marked(1).focus)
    await waitFor(() => markAt(observer, page.doc.clientID) === '1', 'Ana’s change after she reconnected')
    expect(stateAt(observer, page.doc.clientID)?.user).toMatchObject({ id: ana.account.id, name: 'Ana Petrova' })
  }

  async function start(env: Record<string, string> = {}) {
    server = await startTestServer({ accounts: true, env })
    ana = await person('Ana Petrova')
    rita = await person('Rita Reviewer')
    eve = await person('Eve Reviewer')
    boardId = await apiClient(server.url, { authorization: `Bearer ${ana.token}` }).createBoard('Presence')
    await addMember(server, boardId, rita.account, 'reviewer')
    await addMember(server, boardId, eve.account, 'reviewer')
  }

  beforeEach(async () => {
    clients.length = 0
    sockets.length = 0
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    for (const socket of sockets.splice(0)) socket.terminate()
    await server.destroy()
  })

  it('is stamped with the signed-in person: a reviewer calling herself "Administrator" appears under her own name, read-only', async () => {
    await start()
    const [observer, impostor] = [connect(ana), connect(eve)]
    await Promise.all([observer.synced(), impostor.synced()])
    impostor.provider.awareness.setLocalState({
      user: { name: 'Administrator', color: '#b3261e', colorLight: 'url(https://elsewhere.example/x.png)', role: 'owner' },
      server: { saving: 'failing', since: '2026-01-01T00:00:00Z' },
      focus: null,
    })
    await waitFor(() => stateAt(observer, impostor.doc.clientID)?.focus === null, 'the impostor’s presence at the observer')
    expect(stateAt(observer, impostor.doc.clientID)).toEqual({
      user: { id: eve.account.id, name: 'Eve Reviewer', readOnly: true, color: '#b3261e' },
      focus: null,
    })
  })

  it('a connection cannot change or remove presence it did not introduce, nor the server’s own', async () => {
    await start()
    const [owner, observer] = [connect(ana), connect(rita)]
    await Promise.all([owner.synced(), observer.synced()])
    owner.provider.awareness.setLocalStateField('user', { name: 'Ana', color: '#1d5fd1' })
    await waitFor(() => stateAt(observer, owner.doc.clientID)?.user !== undefined, 'Ana’s presence at the observer')
    const anaClock = owner.provider.awareness.meta.get(owner.doc.clientID)!.clock
    const serverClientId = server.services.rooms.loadedRooms.get(boardId)!.awareness.clientID

    const attacker = await raw(eve)
    announce(attacker, owner.doc.clientID, anaClock + 5, { user: { name: 'Ana Petrova' }, focus: { assessmentId: 'forged' } })
    announce(attacker, owner.doc.clientID, anaClock + 6, null)
    announce(attacker, serverClientId, 10, { server: { saving: 'failing', since: '2026-01-01T00:00:00Z' } })
    // Its own presence, after the attack on the same socket: once the observer has it, the attack was handled.
    announce(attacker, 4242, 1, { focus: { assessmentId: 'own' } })
    await waitFor(() => stateAt(observer, 4242) !== undefined, 'the attacker’s own presence')

    expect(stateAt(observer, owner.doc.clientID)).toMatchObject({ user: { name: 'Ana Petrova', color: '#1d5fd1' } })
    expect(stateAt(observer, owner.doc.clientID)?.focus).toBeUndefined()
    expect(stateAt(observer, serverClientId)).toBeUndefined()
    expect(attacker.isClosed()).toBe(false)
    // Ana's own changes still go through.
    owner.provider.awareness.setLocalStateField('focus', { assessmentId: 'real', field: null })
    await waitFor(() => (stateAt(observer, owner.doc.clientID)?.focus as { assessmentId?: string } | undefined)?.assessmentId === 'real', 'Ana’s own change')
  })

  it('the same person may take over their client id from a connection that has not closed yet; each close removes only what it owns', async () => {
    await start()
    const observer = connect(rita)
    await observer.synced()
    const [stale, fresh, other] = [await raw(ana), await raw(ana), await raw(eve)]
    announce(stale, 777, 1, { focus: { assessmentId: 'stale' } })
    announce(other, 888, 1, { focus: { assessmentId: 'other' } })
    await waitFor(() => stateAt(observer, 777) && stateAt(observer, 888), 'both at the observer')
    // Eve may not take it; Ana's newer connection (a reconnect whose old socket lingers) may.
    announce(other, 777, 2, { focus: { assessmentId: 'eve' } })
    announce(fresh, 777, 3, { focus: { assessmentId: 'fresh' } })
    await waitFor(() => (stateAt(observer, 777)?.focus as { assessmentId?: string }).assessmentId === 'fresh', 'the takeover by the same person')
    stale.terminate()
    await waitFor(() => server.services.rooms.loadedRooms.get(boardId)!.connections.size === 3, 'the stale socket to close')
    expect(stateAt(observer, 777)).toBeDefined()
    fresh.terminate()
    await waitFor(() => stateAt(observer, 777) === undefined, 'the id removed when its owner closes')
    expect(stateAt(observer, 888)).toBeDefined()
  })

  it('a client id whose connection dropped is its owner’s to take again, not another person’s, however long its page was away', async () => {
    await start({ PRESENCE_REMEMBER_REMOVED_MS: '200' })
    const [ben, observer] = [connect(ana), connect(rita)]
    await Promise.all([ben.synced(), observer.synced()])
    const benId = ben.doc.clientID
    ben.provider.awareness.setLocalStateField('focus', marked(0).focus)
    await waitFor(() => markAt(observer, benId) === '0', 'Ana’s presence at the observer')
    const squatter = await raw(eve)
    let attempts = 0
    const squat = async () => {
      attempts++
      announce(squatter, benId, attempts * 1_000_000, marked('squatted'))
      // Its own presence, after: once the observer has it, the squat was handled.
      announce(squatter, 4242, attempts, marked(attempts))
      await waitFor(() => markAt(observer, 4242) === String(attempts), `the squatter’s own presence after attempt ${attempts}`)
    }

    // A network blip: the same page, the same client id, a new socket.
    ben.provider.disconnect()
    await waitFor(() => stateAt(observer, benId) === undefined, 'Ana’s removal')
    await squat()
    expect(stateAt(observer, benId)).toBeUndefined()
    // A laptop lid closed past the time the server keeps a removed id's clock (30 s, and up to 15 s more, before the setting).
    const room = server.services.rooms.loadedRooms.get(boardId)!
    await waitFor(() => !room.awareness.meta.has(benId), 'the server to forget the clock of Ana’s id', 60_000)
    await squat()
    expect(stateAt(observer, benId)).toBeUndefined()

    await seenAgain(ben, observer)
    await squat()
    expect(stateAt(observer, benId)).toMatchObject({ ...marked(1), user: { id: ana.account.id } })
    expect(ben.provider.awareness.getLocalState()?.focus).toEqual(marked(1).focus)
    expect(squatter.isClosed()).toBe(false)
  })

  it('a client id stays its owner’s across an idle unload of the board: a reviewer who loads it again first cannot take it', async () => {
    await start({ ROOM_IDLE_MS: '0' })
    const ben = connect(ana)
    await ben.synced()
    const benId = ben.doc.clientID
    ben.provider.awareness.setLocalStateField('focus', marked(0).focus)
    await waitFor(() => markOf(server.services.rooms.loadedRooms.get(boardId)?.awareness.getStates().get(benId)) === '0', 'Ana’s presence in the room')
    // Her laptop sleeps; nobody is left on the board, so its room unloads.
    ben.provider.disconnect()
    await waitFor(() => !server.services.rooms.loadedRooms.has(boardId), 'the board unloaded')

    const squatter = await raw(eve)
    announce(squatter, benId, 1_000_000, marked('squatted'))
    announce(squatter, 4242, 1, marked('eve'))
    const observer = connect(rita)
    await observer.synced()
    await waitFor(() => markAt(observer, 4242) === 'eve', 'the squatter’s own presence, sent after the squat')
    expect(stateAt(observer, benId)).toBeUndefined()

    await seenAgain(ben, observer)
  })

  it('a client id an editor wrote the board under is hers for presence too, though she never showed presence under it', async () => {
    await start()
    const [typist, observer] = [connect(ana), connect(rita)]
    await Promise.all([typist.synced(), observer.synced()])
    const writerId = 515_151
    const writer = await raw(ana)
    writer.send(frames.update(forgedUpdate(Y.encodeStateAsUpdate(typist.doc), writerId, (doc) => addAssessment(doc, { title: 'Written under her id', judgment: 'J.' }))))
    await waitFor(() => boardToModel(observer.doc, boardId).assessments.length === 1, 'the written assessment at the observer')
    writer.terminate()

    const squatter = await raw(eve)
    announce(squatter, writerId, 1, marked('squatted'))
    announce(squatter, 4242, 1, marked('own'))
    await waitFor(() => markAt(observer, 4242) === 'own', 'the squatter’s own presence')
    expect(stateAt(observer, writerId)).toBeUndefined()
    announce(await raw(ana), writerId, 2, marked('hers'))
    await waitFor(() => markAt(observer, writerId) === 'hers', 'the writer’s own presence under her id')
  })

  it('closing a connection removes every id it introduced, one withdrawn and announced again included', async () => {
    await start()
    const observer = connect(rita)
    await observer.synced()
    const [leaving, staying] = [await raw(eve), await raw(ana)]
    announce(leaving, 101, 1, marked(1))
    announce(leaving, 102, 1, marked(2))
    announce(leaving, 103, 1, marked(3))
    announce(staying, 201, 1, marked(4))
    await waitFor(() => [101, 102, 103, 201].every((id) => stateAt(observer, id)), 'everything at the observer')
    announce(leaving, 103, 2, null)
    await waitFor(() => stateAt(observer, 103) === undefined, 'the withdrawal')
    announce(leaving, 103, 3, marked(5))
    await waitFor(() => markAt(observer, 103) === '5', 'announced again')
    leaving.terminate()
    await waitFor(() => [101, 102, 103].every((id) => stateAt(observer, id) === undefined), 'all three removed')
    expect(stateAt(observer, 201)).toMatchObject(marked(4))
  })

  it('an old state of a client that has left, sent back by another client, does not bring it back', async () => {
    await start()
    const observer = connect(rita)
    await observer.synced()
    const [leaving, echoing] = [await raw(eve), await raw(ana)]
    announce(leaving, 600, 3, { focus: { assessmentId: 'leaving' } })
    await waitFor(() => stateAt(observer, 600), 'the state at the observer')
    leaving.terminate()
    await waitFor(() => stateAt(observer, 600) === undefined, 'its removal')
    // What the stock client does with every presence change it received: it sends it back.
    announce(echoing, 600, 3, { focus: { assessmentId: 'leaving' } })
    announce(echoing, 601, 1, { focus: { assessmentId: 'own' } })
    await waitFor(() => stateAt(observer, 601), 'the echoing connection’s own presence')
    expect(stateAt(observer, 600)).toBeUndefined()
  })

  it('a client id is its first announcer’s from its first state, even one other clients ignore (clock 0)', async () => {
    await start()
    const observer = connect(rita)
    await observer.synced()
    const [first, thief] = [await raw(ana), await raw(eve)]
    announce(first, 700, 0, {})
    announce(first, 701, 1, marked('barrier'))
    await waitFor(() => stateAt(observer, 701), 'the first connection’s frames to be handled')
    announce(thief, 700, 5, { focus: { assessmentId: 'stolen' } })
    announce(thief, 702, 1, marked('barrier'))
    await waitFor(() => stateAt(observer, 702), 'the thief’s frames to be handled')
    expect(stateAt(observer, 700)).toBeUndefined()
    announce(first, 700, 6, marked('mine'))
    await waitFor(() => markAt(observer, 700) === 'mine', 'the owner’s own change')
  })

  it('a cursor is passed on only as the shared text editors can place it: a malformed one reaches nobody', async () => {
    await start()
    const [writer, observer] = [connect(ana), connect(rita)]
    await Promise.all([writer.synced(), observer.synced()])
    const cardId = addAssessment(writer.doc, { title: 'Convoy near Brest' })
    const title = assessmentText(writer.doc, cardId, 'title')
    await waitFor(() => boardToModel(observer.doc, boardId).assessments.length === 1, 'the card at the observer')
    // What the editor (y-codemirror) publishes: the RelativePosition objects themselves, every field present.
    const selection = { anchor: Y.createRelativePositionFromTypeIndex(title, 2), head: Y.createRelativePositionFromTypeIndex(title, 5) }
    const honest = await raw(ana)
    announce(honest, 501, 1, { cursor: selection })
    // An editor's second socket: a reviewer's cursor reaches nobody at all (the next test).
    const attacker = await raw(ana)
    const malformed = [{ anchor: {}, head: {} }, { anchor: { item: { client: 'x', clock: 1 } }, head: selection.head }, { anchor: selection.anchor }, 'here']
    malformed.forEach((cursor, i) => announce(attacker, 601 + i, 1, { cursor }))
    await waitFor(() => [501, 601, 602, 603, 604].every((id) => stateAt(observer, id) !== undefined), 'every presence at the observer')

    // Each cursor the observer holds is one Yjs can place: the honest one where it was, the malformed ones as none.
    const placed = (clientId: number) => {
      const cursor = stateAt(observer, clientId)!.cursor as { anchor: Y.RelativePosition; head: Y.RelativePosition } | null
      if (cursor === null) return null
      const [from, to] = [cursor.anchor, cursor.head].map((position) => Y.createAbsolutePositionFromRelativePosition(position, observer.doc))
      return [from!.index, to!.index]
    }
    expect(placed(501)).toEqual([2, 5])
    for (const clientId of [601, 602, 603, 604]) expect(placed(clientId)).toBeNull()
    expect(attacker.isClosed()).toBe(false)
  })

  it('a reviewer shows which card she is on, never a field nor a cursor: she cannot edit', async () => {
    await start()
    const [writer, observer, reader] = [connect(ana), connect(rita), connect(eve)]
    await Promise.all([writer.synced(), observer.synced(), reader.synced()])
    const cardId = addAssessment(writer.doc, { title: 'Wagner regroups in Belarus' })
    await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === 1, 'the card in Eve’s read-only copy')
    // Positions named from her own copy, as red team 33b did: the whole title selected, in an opaque colour.
    const title = assessmentText(reader.doc, cardId, 'title')
    const cursor = { anchor: Y.createRelativePositionFromTypeIndex(title, 0), head: Y.createRelativePositionFromTypeIndex(title, title.length) }
    const forged = { user: { color: '#111111', colorLight: '#111111ff' }, focus: { assessmentId: cardId, field: 'title' }, cursor }
    // Her own page (the stock client), and a raw socket of hers.
    reader.provider.awareness.setLocalState(forged)
    announce(await raw(eve), 4242, 1, forged)
    await waitFor(() => stateAt(observer, reader.doc.clientID) !== undefined && stateAt(observer, 4242) !== undefined, 'Eve’s two states at the observer')
    for (const clientId of [reader.doc.clientID, 4242]) {
      const state = stateAt(observer, clientId)!
      expect(state).not.toHaveProperty('cursor')
      expect(state.focus).toEqual({ assessmentId: cardId, field: null })
      expect(state.user).toMatchObject({ id: eve.account.id, name: 'Eve Reviewer', readOnly: true })
    }
    // An editor's own field and cursor still reach the others.
    writer.provider.awareness.setLocalState({ focus: { assessmentId: cardId, field: 'title' }, cursor })
    await waitFor(() => stateAt(observer, writer.doc.clientID)?.cursor != null, 'Ana’s cursor at the observer')
    expect(stateAt(observer, writer.doc.clientID)?.focus).toEqual({ assessmentId: cardId, field: 'title' })
  })

  it('a connection introduces at most a few client ids', async () => {
    await start()
    const observer = connect(rita)
    await observer.synced()
    const greedy = await raw(eve)
    for (let id = 1; id <= 10; id++) announce(greedy, 5000 + id, 1, marked(id))
    announce(greedy, 5001, 2, marked('last'))
    await waitFor(() => markAt(observer, 5001) === 'last', 'the greedy connection’s last change')
    const shown = [...observer.provider.awareness.getStates().keys()].filter((id) => id > 5000 && id <= 5010)
    expect(shown).toEqual([5001, 5002, 5003, 5004])
  })

  it('a connection refused client ids that are another person’s is told so, once for each id and for at most a few, and stays open', async () => {
    await start()
    const observer = connect(ana)
    await observer.synced()
    // Rita's ids: four her connection holds, four her connection that has left claimed.
    const [held, claimed] = [[701, 702, 703, 704], [705, 706, 707, 708]]
    const [holder, gone] = [await raw(rita), await raw(rita)]
    for (const clientId of held) announce(holder, clientId, 1, marked('rita'))
    for (const clientId of claimed) announce(gone, clientId, 1, marked('rita'))
    await waitFor(() => [...held, ...claimed].every((clientId) => markAt(observer, clientId) === 'rita'), 'Rita’s ids at the observer')
    gone.terminate()
    await waitFor(() => claimed.every((clientId) => stateAt(observer, clientId) === undefined), 'the ids of Rita’s connection that left removed')

    const squatter = await raw(eve)
    for (const clock of [2_000_000, 2_000_001]) for (const clientId of [...claimed, ...held]) announce(squatter, clientId, clock, marked('eve'))
    announce(squatter, 900, 1, marked('own'))
    // Her own state comes back to her after every refusal: whatever she was told, she has been told by then.
    await waitFor(() => receivedPresence(squatter.received).some((entry) => entry.clientId === 900), 'Eve’s own state sent back to her')
    expect(deniedReasons(squatter.received).map(presenceIdTaken)).toEqual(claimed)
    expect(squatter.isClosed()).toBe(false)
    expect(stateAt(observer, 900)?.user).toMatchObject({ name: 'Eve Reviewer' })
    for (const clientId of held) expect(markAt(observer, clientId)).toBe('rita')
  })

  it('a state nested 20,000 deep, one of a megabyte, or one that is not an object closes its sender; joiners still sync', async () => {
    await start()
    const writer = connect(ana)
    await writer.synced()
    const refused = async (json: string) => {
      const socket = await raw(eve)
      socket.send(frames.awareness([{ clientId: 999, clock: 1, json }]))
      return (await socket.closed).code
    }
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)
    expect(await refused(deep)).toBe(CLOSE.presenceRefused.code)
    expect(await refused(`{"user":{"name":"${'x'.repeat(512 * 1024)}"}}`)).toBe(CLOSE.presenceRefused.code)
    // A reviewer's megabyte is refused at its header already: more than any message a reader needs.
    expect(await refused(`{"user":{"name":"${'x'.repeat(1024 * 1024)}"}}`)).toBe(CLOSE.messageTooBig.code)
    expect(await refused('[[[[1]]]]')).toBe(CLOSE.presenceRefused.code)
    expect(await refused('5')).toBe(CLOSE.presenceRefused.code)
    // The attack: announce, withdraw, and announce again, deep.
    const withdrawn = await raw(eve)
    announce(withdrawn, 998, 1, {})
    announce(withdrawn, 998, 2, null)
    withdrawn.send(frames.awareness([{ clientId: 998, clock: 3, json: deep }]))
    expect((await withdrawn.closed).code).toBe(CLOSE.presenceRefused.code)

    const joiner = connect(rita)
    await joiner.synced()
    addAssessment(writer.doc, { title: 'After the attack' })
    await waitFor(() => boardToModel(joiner.doc, boardId).assessments.length === 1, 'the edit at the joiner')
    expect(stateAt(joiner, 999)).toBeUndefined()
  })

  it('a query is answered once a change of presence: asked a hundred times over, it is answered once, and the room carries on', async () => {
    await start()
    const observer = connect(ana)
    await observer.synced()
    const announcer = await raw(eve)
    announce(announcer, 3001, 1, marked('x'.repeat(900)))
    await waitFor(() => stateAt(observer, 3001), 'the announced state at the observer')
    const querier = await raw(rita)
    const presenceFrames = () => querier.received.filter((frame) => frame[0] === MESSAGE_AWARENESS)
    /** A hundred queries, then a sync step 1: frames are handled in order, so its reply comes after every answer. */
    const queryOverAndOver = async () => {
      for (let i = 0; i < 100; i++) querier.send(frames.queryAwareness())
      const replies = syncReplies(querier.received).length
      querier.send(frames.syncStep1(new Uint8Array([0])))
      await waitFor(() => syncReplies(querier.received).length > replies, 'the sync reply after the queries')
    }

    // Everyone's presence came when it joined, and nothing has changed since.
    await queryOverAndOver()
    expect(presenceFrames()).toHaveLength(1)
    announce(announcer, 3001, 2, marked('y'.repeat(900)))
    await waitFor(() => receivedPresence(querier.received).some((entry) => entry.clientId === 3001 && entry.clock === 2), 'the change at the querier')
    await queryOverAndOver()
    expect(presenceFrames()).toHaveLength(3)
    expect(receivedPresence(presenceFrames().slice(-1))).toEqual([{ clientId: 3001, clock: 2, state: expect.objectContaining(marked('y'.repeat(900))) }])
    expect(querier.isClosed()).toBe(false)
    const joiner = connect(rita)
    await joiner.synced()
    addAssessment(observer.doc, { title: 'Still served' })
    await waitFor(() => boardToModel(joiner.doc, boardId).assessments.length === 1, 'the edit at the joiner')
  })

  it('a flood of presence from one connection is coalesced: the latest state wins, at most N a second', async () => {
    await start({ PRESENCE_UPDATES_PER_SECOND: '2' })
    const observer = await raw(rita)
    const sender = await raw(eve)
    for (let clock = 1; clock <= 50; clock++) announce(sender, 4321, clock, marked(clock))
    await waitFor(() => receivedPresence(observer.received).some((entry) => entry.clientId === 4321 && entry.clock === 50), 'the last state at the observer')
    const seen = receivedPresence(observer.received).filter((entry) => entry.clientId === 4321)
    expect(seen.length).toBeLessThanOrEqual(10)
    expect(seen.at(-1)?.state).toMatchObject(marked(50))
    expect(sender.isClosed()).toBe(false)
  })
})
