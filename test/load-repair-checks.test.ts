/**
 * The load repair (server/relay/load-repair.ts) on a board found within today's
 * bounds, against the real server: it looks at the whole board once, keeps the
 * board's state vector with the rules it checked (server/relay/checked-bounds.ts),
 * and at later loads looks only at the entries holding an item written since
 * (a row stored past the relay, as an older release stored it), and at nothing
 * on a board nobody changed. Seen through assay_load_repair_examined_total, on
 * SQLite and PostgreSQL.
 */
import * as Y from 'yjs'
import { afterEach, expect, it } from 'vitest'
import { entity } from '../shared/board-doc.ts'
import { checkedBounds } from '../server/relay/checked-bounds.ts'
import { apiClient } from './helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
const connect = clientsDestroyedAfterEach()
let server: TestServer | undefined

afterEach(async () => {
  await server?.destroy()
  server = undefined
})

/** Restarts the server, loads the board for a client, and reads what the load repair looked at. */
async function examinedAtLoad(running: TestServer, boardId: string): Promise<{ running: TestServer; examined: number | undefined }> {
  const restarted = (server = await running.restart())
  const client = connect(restarted.wsUrl, boardId)
  await client.synced()
  const examined = sample(await metricsText(restarted), 'assay_load_repair_examined_total')
  client.destroy()
  await restarted.services.rooms.loadedRooms.get(boardId)?.whenSaved()
  return { running: restarted, examined }
}

describeEachDialect(postgresMissing, 'the load repair of a board found within today’s bounds on %s', (dialect) => {
  it('looks at the whole board under other rules, then only at what was written since, and at nothing on a board nobody changed', async () => {
    const running = (server = await startTestServer({ dialect, env: { METRICS_TOKEN } }))
    const api = apiClient(running.url)
    const boardId = await api.createBoard('Checked once')
    const cards: string[] = []
    for (const title of ['One', 'Two', 'Three']) cards.push((await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title, kind: 'key-judgment' })).body.id)
    await running.services.rooms.loadedRooms.get(boardId)?.whenSaved()
    const { storage } = running.services
    // As an older release's rules left it: the board is looked at whole.
    await storage.boundsChecks.record(boardId, { bounds: 'an-older-release', stateVector: await withStoredDoc(running, boardId, (doc) => Y.encodeStateVector(doc)) })

    let load = await examinedAtLoad(running, boardId)
    expect(load.examined).toBeGreaterThanOrEqual(cards.length)
    const stored = await withStoredDoc(load.running, boardId, (doc) => Y.encodeStateVector(doc))
    expect(await load.running.services.storage.boundsChecks.get(boardId)).toEqual({ bounds: checkedBounds(), stateVector: stored })

    load = await examinedAtLoad(load.running, boardId)
    expect(load.examined).toBe(0)

    // A row stored past the relay, under a client id of its own: only the card it changed is looked at.
    await storeChange(load.running, boardId, 'ws:before-the-rule', (doc) => entity(doc, 'assessments', cards[1]!)!.set('tags', ['east']))
    load = await examinedAtLoad(load.running, boardId)
    expect(load.examined).toBe(1)

    load = await examinedAtLoad(load.running, boardId)
    expect(load.examined).toBe(0)
  })
})
