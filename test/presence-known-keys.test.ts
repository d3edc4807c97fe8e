/**
 * The relay passes on of a person's presence only what pages read: the
 * stamped `user`, a `focus` on a card (its field `title`, `judgment` or
 * null) and an editor's `cursor`. A member's extra keys (a 1.1 KB
 * `<img onerror>` string) and a focus field of `<script>` reached every
 * colleague's page unchanged (red team 36).
 */
import { afterEach, expect, it } from 'vitest'
import { apiClient } from './helpers/api.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach, type TestClient } from './helpers/yjs-client.ts'

const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

const IMAGE = `<img src=x onerror="${'alert(document.cookie);'.repeat(45)}">`
const stateAt = (observer: TestClient, clientId: number) => observer.provider.awareness.getStates().get(clientId) as Record<string, unknown> | undefined

it('relays a member’s state with only the keys pages read, a bogus focus field as null; honest presence arrives whole', async () => {
  server = await startTestServer()
  const boardId = await apiClient(server.url).createBoard('Only what pages read')
  const [member, observer] = [connect(server.wsUrl, boardId), connect(server.wsUrl, boardId)]
  await Promise.all([member.synced(), observer.synced()])
  const memberId = member.doc.clientID

  member.provider.awareness.setLocalState({ user: { color: '#0a7', bio: '<b>' }, focus: { assessmentId: 'card-1', field: '<script>', note: IMAGE }, html: IMAGE, extra: { nested: '<i>' } })
  await waitFor(() => (stateAt(observer, memberId)?.focus as { assessmentId?: string } | undefined)?.assessmentId === 'card-1', 'the member’s state at the observer')
  expect(stateAt(observer, memberId)).toEqual({ user: { id: null, name: expect.any(String) as string, readOnly: false, color: '#0a7' }, focus: { assessmentId: 'card-1', field: null } })

  const cursor = { anchor: { type: null, tname: 'judgment', item: { client: memberId, clock: 3 }, assoc: 0 }, head: { type: null, tname: 'judgment', item: { client: memberId, clock: 7 }, assoc: -1 } }
  member.provider.awareness.setLocalState({ user: { color: '#0a7' }, focus: { assessmentId: 'card-2', field: 'title' }, cursor })
  await waitFor(() => (stateAt(observer, memberId)?.focus as { assessmentId?: string } | undefined)?.assessmentId === 'card-2', 'the honest state at the observer')
  expect(stateAt(observer, memberId)).toEqual({ user: { id: null, name: expect.any(String) as string, readOnly: false, color: '#0a7' }, focus: { assessmentId: 'card-2', field: 'title' }, cursor })
})
