/**
 * Presence relayed between instances is read entry by entry, and owned by
 * person. One reviewer's state that the stamp made longer than the limit got
 * every presence change published with it (each instance sends a room's
 * changes of 50 ms as one Redis message) dropped by the other instances; a
 * client id whose owner had just disconnected was anyone's to take, so a
 * reviewer could show herself under a member's id and keep the member's own
 * page, reconnecting, from showing it again.
 */
import { afterEach, expect, it } from 'vitest'
import { takeFreshIdWhenTaken } from '../client/src/board/fresh-presence-id.ts'
import { keepOwnPresence } from '../client/src/board/own-presence.ts'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import type { TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import type { TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** A selection as a client may send it, which the stamp writes out with every field (`stampPresence`). */
const SHORT_CURSOR = { anchor: { tname: 'a' }, head: { tname: 'a' } }

describeUnless(missing)('presence across instances', () => {
  const { start, connect } = instancesAfterEach()
  const sockets: RawSocket[] = []
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate()
  })

  /** Two instances with accounts on one board: Hana and Ben (editors), Mallory (a reviewer); `envTwo` and `envOne` hold settings of each. */
  const twoInstances = async (envTwo?: Record<string, string>, envOne?: Record<string, string>) => {
    const one = await start({ accounts: true, env: envOne })
    const two = await start({ database: one.database, accounts: true, env: envTwo })
    const owner = await addAccount(one, { name: 'Owner' })
    const ownerToken = (await addToken(one, owner)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Presence across')
    const tokenOf = async (name: string, role: 'editor' | 'reviewer') => {
      const account = await addAccount(one, { name })
      await addMember(one, boardId, account, role)
      return (await addToken(one, account)).token
    }
    const people = { hana: await tokenOf('Hana', 'editor'), ben: await tokenOf('Ben', 'editor'), mallory: await tokenOf('Mallory', 'reviewer') }
    const raw = async (server: TestServer, token: string) => {
      const socket = await openRawSocket(`${server.wsUrl}/${boardId}?token=${token}`)
      sockets.push(socket)
      return socket
    }
    return { one, two, boardId, people, raw }
  }
  const announce = (socket: RawSocket, entries: { clientId: number; clock: number; state: unknown }[]) =>
    socket.send(frames.awareness(entries.map(({ clientId, clock, state }) => ({ clientId, clock, json: JSON.stringify(state) }))))
  const stateAt = (observer: TestClient, clientId: number) => observer.provider.awareness.getStates().get(clientId) as Record<string, unknown> | undefined
  /** A state told apart by the card it is on: the relay passes on only what pages read (presence-state.ts). */
  const marked = (mark: string | number) => ({ focus: { assessmentId: String(mark), field: null } })
  const markAt = (observer: TestClient, clientId: number) => (stateAt(observer, clientId)?.focus as { assessmentId?: string } | null | undefined)?.assessmentId

  it('a state the stamp makes longer than the limit closes its sender; the presence relayed with it reaches the other instance', async () => {
    const { one, two, boardId, people, raw } = await twoInstances({ PRESENCE_MAX_BYTES: '1024' }, { PRESENCE_MAX_BYTES: '1024' })
    const [hana, watcher] = [connect(one, boardId, { token: people.hana }), connect(two, boardId, { token: people.ben })]
    await Promise.all([hana.synced(), watcher.synced()])
    const refused = async (json: string) => {
      const sender = await raw(one, people.ben)
      sender.send(frames.awareness([{ clientId: 4242, clock: 1, json }]))
      await waitFor(() => sender.isClosed(), 'Ben’s socket to be closed')
      return (await sender.closed).code
    }
    // Exactly the limit (1024 bytes) as sent: stamped with Ben's account and the cursor written out (an editor's: a reviewer's cursor is dropped), about 1,170.
    const focusOn = (assessmentId: string) => ({ cursor: SHORT_CURSOR, focus: { assessmentId, field: 'title' } })
    const padding = 1024 - JSON.stringify(focusOn('')).length
    expect(await refused(JSON.stringify(focusOn('x'.repeat(padding))))).toBe(CLOSE.presenceRefused.code)

    // Within the limit once stamped: relayed, and sent back by every stock client as it does, without closing them.
    const fits = await raw(one, people.ben)
    announce(fits, [{ clientId: 4343, clock: 1, state: focusOn('x'.repeat(padding - 200)) }])
    await waitFor(() => (stateAt(watcher, 4343)?.user as { name?: string } | undefined)?.name === 'Ben', 'the stamped state on the other instance')
    expect(stateAt(watcher, 4343)?.cursor).toEqual({ anchor: { type: null, tname: 'a', item: null, assoc: 0 }, head: { type: null, tname: 'a', item: null, assoc: 0 } })
    hana.provider.awareness.setLocalStateField('focus', marked(1).focus)
    await waitFor(() => markAt(watcher, hana.doc.clientID) === '1', 'Hana’s change on the other instance')
    expect(stateAt(watcher, 4242)).toBeUndefined()
    expect([hana.provider.wsconnected, watcher.provider.wsconnected, fits.isClosed()]).toEqual([true, true, false])
  })

  it('a reviewer’s field and cursor reach no instance: the other instance’s members see only the card she is on', async () => {
    const { one, two, boardId, people, raw } = await twoInstances()
    const [hana, watcher] = [connect(one, boardId, { token: people.hana }), connect(two, boardId, { token: people.ben })]
    await Promise.all([hana.synced(), watcher.synced()])
    const cardId = addAssessment(hana.doc, { title: 'Wagner regroups in Belarus' })
    await waitFor(() => boardToModel(watcher.doc, boardId).assessments.length === 1, 'the card on instance two')
    const forged = { user: { color: '#111111', colorLight: '#111111ff' }, focus: { assessmentId: cardId, field: 'title' }, cursor: SHORT_CURSOR }
    announce(await raw(one, people.mallory), [{ clientId: 4242, clock: 1, state: forged }])
    announce(await raw(one, people.hana), [{ clientId: 4343, clock: 1, state: forged }])
    await waitFor(() => stateAt(watcher, 4242) !== undefined && stateAt(watcher, 4343) !== undefined, 'both states on instance two')
    expect(stateAt(watcher, 4242)).not.toHaveProperty('cursor')
    expect(stateAt(watcher, 4242)?.focus).toEqual({ assessmentId: cardId, field: null })
    expect(stateAt(watcher, 4242)?.user).toMatchObject({ name: 'Mallory', readOnly: true })
    // An editor's field and cursor go through.
    expect(stateAt(watcher, 4343)?.focus).toEqual({ assessmentId: cardId, field: 'title' })
    expect(stateAt(watcher, 4343)?.cursor).not.toBeNull()
  })

  it('an entry another instance relays that this one refuses is dropped alone, the rest of its message applied', async () => {
    // Mid-way through a change of PRESENCE_MAX_BYTES: instance two already allows less than instance one.
    const { one, two, boardId, people, raw } = await twoInstances({ PRESENCE_MAX_BYTES: '1024' })
    const watcher = connect(two, boardId, { token: people.ben })
    await watcher.synced()
    const mallory = await raw(one, people.mallory)
    // One frame, so one change of the room and one Redis message: a state too long for instance two beside one it takes.
    announce(mallory, [
      { clientId: 5151, clock: 1, state: { focus: { assessmentId: 'x'.repeat(1000) } } },
      { clientId: 5152, clock: 1, state: marked('small') },
    ])
    await waitFor(() => markAt(watcher, 5152) === 'small', 'the state instance two takes')
    expect(stateAt(watcher, 5151)).toBeUndefined()
    expect(mallory.isClosed()).toBe(false)
    // A removal published with it, too.
    announce(mallory, [
      { clientId: 5151, clock: 2, state: { focus: { assessmentId: 'y'.repeat(1000) } } },
      { clientId: 5152, clock: 2, state: null },
    ])
    await waitFor(() => stateAt(watcher, 5152) === undefined, 'the removal on instance two')
  })

  it('a member’s client id, removed on another instance when their socket dropped, is theirs again when they reconnect, not a reviewer’s', async () => {
    const { one, two, boardId, people, raw } = await twoInstances()
    const [ben, olga] = [connect(two, boardId, { token: people.ben }), connect(one, boardId, { token: people.hana })]
    await Promise.all([ben.synced(), olga.synced()])
    const benId = ben.doc.clientID
    ben.provider.awareness.setLocalStateField('focus', marked(0).focus)
    await waitFor(() => markAt(olga, benId) === '0', 'Ben’s presence on instance one')
    const mallory = await raw(one, people.mallory)

    ben.provider.disconnect()
    await waitFor(() => stateAt(olga, benId) === undefined, 'Ben’s removal on instance one')
    announce(mallory, [{ clientId: benId, clock: 1_000_000, state: marked('squatted') }])
    // Her own presence, after: once Olga has it, the squat was handled.
    announce(mallory, [{ clientId: 4242, clock: 1, state: marked('own') }])
    await waitFor(() => markAt(olga, 4242) === 'own', 'Mallory’s own presence')
    expect(stateAt(olga, benId)).toBeUndefined()

    ben.provider.connect()
    await ben.synced()
    ben.provider.awareness.setLocalStateField('focus', marked(1).focus)
    await waitFor(() => markAt(olga, benId) === '1', 'Ben’s change after he reconnected')
    expect(stateAt(olga, benId)?.user).toMatchObject({ name: 'Ben' })
  })

  it('a state relayed under a client id another person holds is not taken: an instance that loaded the board later cannot hand a member’s id to a reviewer', async () => {
    const { one, two, boardId, people, raw } = await twoInstances()
    const [ben, olga] = [connect(one, boardId, { token: people.ben }), connect(two, boardId, { token: people.hana })]
    await Promise.all([ben.synced(), olga.synced()])
    const benId = ben.doc.clientID
    ben.provider.awareness.setLocalStateField('focus', marked(0).focus)
    await waitFor(() => markAt(olga, benId) === '0', 'Ben’s presence on instance two')

    // A third instance loads the board for Mallory: it has heard nothing of Ben's presence (his page renews it only every 15 s).
    const three = await start({ database: one.database, accounts: true })
    const mallory = await raw(three, people.mallory)
    announce(mallory, [{ clientId: benId, clock: 1_000_000, state: marked('squatted') }])
    announce(mallory, [{ clientId: 4242, clock: 1, state: marked('own') }])
    // Relayed after the squat on the same channel: once Olga has it, instance two has handled the squat.
    await waitFor(() => markAt(olga, 4242) === 'own', 'Mallory’s own presence on instance two')
    expect(stateAt(olga, benId)).toMatchObject({ ...marked(0), user: { name: 'Ben' } })
    ben.provider.awareness.setLocalStateField('focus', marked(1).focus)
    await waitFor(() => markAt(olga, benId) === '1', 'Ben’s next change on instance two')
  })

  it('a page whose client id an instance that loaded the board later gave to a reviewer is told so, and shows itself under a new id', async () => {
    const { one, two, boardId, people, raw } = await twoInstances()
    // Ben's page as the app runs it (BoardConnection): the stock provider, keeping its presence its own and taking a new id when told.
    const ben = connect(one, boardId, { token: people.ben })
    keepOwnPresence(ben.provider.awareness)
    takeFreshIdWhenTaken(ben.provider)
    await ben.synced()
    const benId = ben.doc.clientID
    ben.provider.awareness.setLocalStateField('focus', marked(0).focus)

    // Instance two loads the board for Mallory: it has heard nothing of Ben's id, and takes her state under it.
    const mallory = await raw(two, people.mallory)
    announce(mallory, [{ clientId: benId, clock: 1_000_000, state: marked('squatted') }])
    const olga = connect(two, boardId, { token: people.hana })
    await olga.synced()
    await waitFor(() => markAt(olga, benId) === 'squatted', 'Mallory’s state under Ben’s id on instance two')

    // Ben's page reconnects through the load balancer, which sends it to instance two this time.
    ben.provider.disconnect()
    ben.provider.serverUrl = two.wsUrl
    ben.provider.connect()
    await waitFor(() => ben.provider.awareness.clientID !== benId, 'Ben’s page to take a new id')
    const freshId = ben.provider.awareness.clientID
    await waitFor(() => markAt(olga, freshId) === '0', 'Ben’s presence under his new id on instance two')
    expect(stateAt(olga, freshId)?.user).toMatchObject({ name: 'Ben' })
    expect(stateAt(olga, benId)?.user).toMatchObject({ name: 'Mallory' })
    ben.provider.awareness.setLocalStateField('focus', marked(1).focus)
    addAssessment(ben.doc, { title: 'Written under the new id' })
    await waitFor(() => markAt(olga, freshId) === '1' && boardToModel(olga.doc, boardId).assessments.length === 1, 'Ben’s next change and edit')
  })
})
