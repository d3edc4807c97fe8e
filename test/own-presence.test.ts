/**
 * A page never takes someone else's presence for its own, against the real
 * server and the stock provider. In open access nothing tells people apart,
 * so anyone may announce under a client id whose page was away longer than
 * the server keeps its clock; the stock provider then took that state, at its
 * higher clock, for the page's own local state when the page came back.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { keepOwnPresence } from '../client/src/board/own-presence.ts'
import { apiClient } from './helpers/api.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from './helpers/yjs-client.ts'

describe('keepOwnPresence', () => {
  const connect = clientsDestroyedAfterEach()
  let server: TestServer | undefined
  let squatter: RawSocket | undefined

  afterEach(async () => {
    squatter?.terminate()
    await server?.destroy()
    server = undefined
  })

  it('puts the page’s own state back, at a higher clock, over one announced under its id while it was away', async () => {
    server = await startTestServer({ env: { PRESENCE_REMEMBER_REMOVED_MS: '200' } })
    const boardId = await apiClient(server.url).createBoard('Whose presence?')
    const [page, observer] = [connect(server.wsUrl, boardId), connect(server.wsUrl, boardId)]
    keepOwnPresence(page.provider.awareness)
    await Promise.all([page.synced(), observer.synced()])
    const pageId = page.doc.clientID
    page.provider.awareness.setLocalStateField('focus', { assessmentId: 'mine', field: null })
    const focusAt = (client: TestClient) => (client.provider.awareness.getStates().get(pageId)?.focus as { assessmentId?: string } | undefined)?.assessmentId
    await waitFor(() => focusAt(observer) === 'mine', 'the page’s presence at the observer')

    page.provider.disconnect()
    await waitFor(() => focusAt(observer) === undefined, 'the page’s removal')
    const room = server.services.rooms.loadedRooms.get(boardId)!
    await waitFor(() => !room.awareness.meta.has(pageId), 'the server to forget the clock of the page’s id')
    squatter = await openRawSocket(`${server.wsUrl}/${boardId}`)
    squatter.send(frames.awareness([{ clientId: pageId, clock: 1_000_000, json: JSON.stringify({ focus: { assessmentId: 'theirs', field: null } }) }]))
    await waitFor(() => focusAt(observer) === 'theirs', 'the squat at the observer')

    page.provider.connect()
    await waitFor(() => (page.provider.awareness.meta.get(pageId)?.clock ?? 0) >= 1_000_000, 'the squatted state to reach the page')
    expect(page.provider.awareness.getLocalState()).toEqual({ focus: { assessmentId: 'mine', field: null } })
  })
})
