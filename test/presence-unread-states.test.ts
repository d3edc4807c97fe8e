/**
 * One awareness frame of many large states: the relay read (checked, parsed
 * and scanned) every state before it dropped those of ids past the 4 a
 * connection may hold, and one editor's frame of 4,000 states of 3,956 bytes held its
 * thread 0.65 to 1.16 s, /healthz 626 ms (red team 31b). Now only the states
 * of entries the room takes are read, as the bytes of states read and skipped
 * show (`assay_presence_state_bytes_total`); the stock client, which sends
 * back the states it is sent, works as before.
 */
import { expect, it } from 'vitest'
import { RELAY_LIMITS } from '../shared/limits.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { frames, openRawSocket, receivedPresence } from './helpers/raw-socket.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient } from './helpers/yjs-client.ts'

/** Entries of the frame, each under an id of its own: a quarter of the red team's. */
const ENTRIES = 1000
/** Each state's bytes, within PRESENCE_MAX_BYTES, as the red team's 3,956. */
const STATE_BYTES = 3956
const HELD = RELAY_LIMITS.presenceClientsPerConnection

const opened = openedInTest()

async function stateBytes(running: TestServer): Promise<{ read: number; skipped: number }> {
  const text = await metricsText(running)
  return { read: sample(text, 'assay_presence_state_bytes_total', { outcome: 'read' }) ?? 0, skipped: sample(text, 'assay_presence_state_bytes_total', { outcome: 'skipped' }) ?? 0 }
}

it(`reads the states of only the ${HELD} ids a connection may hold of a frame of ${ENTRIES} large ones, and the stock client's presence goes on`, async () => {
  const running = (opened.server = await startTestServer({ accounts: true, env: { METRICS_TOKEN } }))
  const [owner, editor] = [await addAccount(running, { name: 'Olga' }), await addAccount(running, { name: 'Mallory' })]
  const ownerToken = (await addToken(running, owner)).token
  const boardId = await apiClient(running.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Crowded')
  await addMember(running, boardId, editor, 'editor')

  const [first, second] = [connectClient(running.wsUrl, boardId, { token: ownerToken }), connectClient(running.wsUrl, boardId, { token: ownerToken })]
  opened.clients.push(first, second)
  const closes = [closeCodes(first), closeCodes(second)]
  await Promise.all([first.synced(), second.synced()])
  first.provider.awareness.setLocalStateField('focus', { assessmentId: null })
  await waitFor(() => second.provider.awareness.getStates().get(first.doc.clientID)?.user !== undefined, 'the first page’s presence, stamped, at the second')

  const flooder = await openRawSocket(`${running.wsUrl}/${boardId}?token=${(await addToken(running, editor)).token}`)
  opened.sockets.push(flooder)
  const json = JSON.stringify({ pad: 'x'.repeat(STATE_BYTES - '{"pad":""}'.length) })
  expect(json.length).toBe(STATE_BYTES)
  const ids = Array.from({ length: ENTRIES }, (_, index) => 1_000_000 + index)
  const before = await stateBytes(running)
  flooder.send(frames.awareness(ids.map((clientId) => ({ clientId, clock: 1, json }))))
  await waitFor(async () => (await stateBytes(running)).skipped - before.skipped >= (ENTRIES - HELD) * STATE_BYTES, 'the frame read')
  const after = await stateBytes(running)
  // The ids it may hold, and nothing else of the frame, were read; the pages' own small states may have come in meanwhile.
  expect(after.read - before.read).toBeGreaterThanOrEqual(HELD * STATE_BYTES)
  expect(after.read - before.read).toBeLessThan((HELD + 1) * STATE_BYTES)

  // Those ids reach the pages, which send them back unread; the rest never; nobody is closed for it.
  const taken = ids.slice(0, HELD)
  await waitFor(() => taken.every((clientId) => first.provider.awareness.getStates().has(clientId) && second.provider.awareness.getStates().has(clientId)), 'the held ids at both pages')
  expect(ids.slice(HELD).some((clientId) => first.provider.awareness.getStates().has(clientId))).toBe(false)
  second.provider.awareness.setLocalStateField('focus', { assessmentId: 'after' })
  await waitFor(() => (first.provider.awareness.getStates().get(second.doc.clientID)?.focus as { assessmentId?: string } | undefined)?.assessmentId === 'after', 'the second page’s presence after the frame, at the first')
  expect(receivedPresence(flooder.received).some((entry) => entry.clientId === second.doc.clientID)).toBe(true)
  expect(flooder.isClosed()).toBe(false)
  expect(closes).toEqual([[], []])
}, 60_000)
