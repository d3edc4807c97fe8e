/**
 * The "saved" signal against the real server and the stock provider: a
 * change is saved only once the server has echoed it (inserts and deletions
 * alike), changes made offline or loaded from an offline copy are saved only
 * after the reconnection has stored them, and nothing else clears it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { SaveTracker, trackProvider } from '../client/src/board/save-tracker.ts'
import { blufText } from '../shared/board-doc.ts'
import { apiClient } from './helpers/api.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

type Tracked = { doc: Y.Doc; provider: WebsocketProvider; tracker: SaveTracker; stop(): void }

describe('SaveTracker', () => {
  let server: TestServer | undefined
  const tracked: Tracked[] = []

  afterEach(async () => {
    for (const t of tracked.splice(0)) t.stop()
    await server?.destroy()
    server = undefined
  })

  async function board(): Promise<string> {
    server = await startTestServer()
    return apiClient(server.url).createBoard('Saved?')
  }

  /** A client whose tracker is attached before it connects, as the app does. */
  function client(boardId: string, doc = new Y.Doc()): Tracked {
    const provider = new WebsocketProvider(server!.wsUrl, boardId, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      connect: false,
    })
    const tracker = new SaveTracker(doc)
    const untrack = trackProvider(tracker, provider, () => {})
    const t = {
      doc,
      provider,
      tracker,
      stop() {
        untrack()
        provider.destroy()
        doc.destroy()
      },
    }
    tracked.push(t)
    return t
  }

  const synced = (t: Tracked) => waitFor(() => t.provider.synced, 'the client to sync')
  const saved = (t: Tracked) => waitFor(() => t.tracker.saved, 'the tracker to say saved')

  it('says saved only after the server has echoed an insert, and a deletion', async () => {
    const boardId = await board()
    const ana = client(boardId)
    ana.provider.connect()
    await synced(ana)
    await saved(ana)

    const text = blufText(ana.doc)
    text.insert(0, 'hello world')
    expect(ana.tracker.saved).toBe(false)
    await saved(ana)

    // A deletion adds no struct: only the echoed delete set can confirm it.
    text.delete(0, 6)
    expect(ana.tracker.saved).toBe(false)
    await saved(ana)
  })

  it('stays unsaved while offline and becomes saved once the reconnection stored the change', async () => {
    const boardId = await board()
    const ana = client(boardId)
    ana.provider.connect()
    await synced(ana)
    blufText(ana.doc).insert(0, 'before')
    await saved(ana)

    ana.provider.disconnect()
    blufText(ana.doc).insert(6, ' offline')
    blufText(ana.doc).delete(0, 2)
    expect(ana.tracker.saved).toBe(false)

    ana.provider.connect()
    await synced(ana)
    await saved(ana)
    const bo = client(boardId)
    bo.provider.connect()
    await synced(bo)
    expect(blufText(bo.doc).toString()).toBe('fore offline')
  })

  it('confirms what an offline copy loads only against what the server holds', async () => {
    const boardId = await board()
    const ana = client(boardId)
    ana.provider.connect()
    await synced(ana)
    blufText(ana.doc).insert(0, 'stored')
    blufText(ana.doc).delete(0, 1)
    await saved(ana)

    // The same content loaded from an offline copy (another document, another client id): already on the server.
    const again = client(boardId)
    Y.applyUpdate(again.doc, Y.encodeStateAsUpdate(ana.doc), 'offline copy')
    expect(again.tracker.saved).toBe(false)
    again.provider.connect()
    await synced(again)
    await saved(again)

    // An offline copy holding a change the server never had: saved once the provider has sent and the server echoed it.
    const stale = new Y.Doc()
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(ana.doc))
    blufText(stale).insert(0, 'never sent: ')
    const restored = new Y.Doc()
    const late = client(boardId, restored)
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(stale), 'offline copy')
    expect(late.tracker.saved).toBe(false)
    late.provider.connect()
    await synced(late)
    await saved(late)
    await waitFor(() => blufText(ana.doc).toString() === 'never sent: tored', 'the first client to receive the change')
  })
})
