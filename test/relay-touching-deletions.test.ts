/**
 * Deleted ranges of one client that touch, which no Yjs encoder writes (Yjs
 * merges them), against the real server. The red team's frame: an editor's
 * stock client types 1,300 characters (one item), then a hand-made frame
 * deletes that item as 1,300 ranges of one character side by side. Counted
 * under 64 KiB it was checked on the relay's thread, where the walker along
 * the text read every range from every other (0.55 to 1.1 s, /healthz
 * stalled for every board), and it was taken; 7,000 such ranges went to a
 * worker thread and held the room's edits some 30 s, exports answered 503.
 * Both are refused 4422 from the scan of their bytes, while /healthz, a
 * colleague's edits and the owner's export carry on. The stock client's own
 * typing, deleting, undo and sync after offline edits are taken.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { blufText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { deletionsUpdate } from '../server/relay/deletions-within.ts'
import { ownerExport, useOwnedBoard } from './helpers/owned-board.ts'
import { frames } from './helpers/raw-socket.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('deleted ranges that touch', () => {
  const given = useOwnedBoard({ owner: 'Olive Owner', board: 'Touching ranges' })

  /** The bottom line as the room holds it. */
  const held = async () => (await given.server.services.rooms.withRoom(given.boardId, (room) => blufText(room.doc).toString()))!

  it('closes 4422 an editor whose frame deletes one item as ranges side by side, and the board carries on', async () => {
    const colleague = await given.connectEditor('Colleague Cleo')
    let expected = ''
    for (const [name, count] of [
      ['Hostile Hugo', 1_300],
      ['Hostile Hana', 7_000],
    ] as const) {
      const hostile = await given.connectEditor(name)
      const { doc, provider } = hostile.client
      const start = Y.getState(doc.store, doc.clientID)
      blufText(doc).insert(0, 'a'.repeat(count))
      expected = `${'a'.repeat(count)}${expected}`
      await waitFor(async () => (await held()) === expected, `the ${count} characters stored`)

      const ranges = Array.from({ length: count }, (_, i): [number, number] => [start + i, 1])
      // Sent on the stock client's own socket, as the red team's script did.
      provider.ws!.send(new Uint8Array(frames.update(deletionsUpdate([[doc.clientID, ranges]]))))
      // Asked as the frame arrives, and a colleague's edit made meanwhile.
      const health = await fetch(`${given.server.url}/healthz`)
      expect(health.status).toBe(200)
      blufText(colleague.client.doc).insert(blufText(colleague.client.doc).length, '.')
      expected = `${expected}.`
      await waitFor(async () => hostile.closes.length > 0 || !(await held()).startsWith('a'.repeat(count)), `the frame of ${count} ranges refused or applied`)
      expect(hostile.closes[0]).toBe(CLOSE.updateRejected.code)
      await waitFor(async () => (await held()) === expected, 'the colleague’s edit stored')
      expect((await ownerExport(given, 'md')).toString()).toContain('a'.repeat(count))
    }
    expect(colleague.closes).toEqual([])
  }, 120_000)

  it('takes the stock client’s typing, deletions, undo and sync after offline edits', async () => {
    const honest = await given.connectEditor('Honest Hana')
    const { doc, provider } = honest.client
    const text = blufText(doc)
    const stored = () => waitFor(async () => (await held()) === text.toString(), 'the edits stored')
    text.insert(0, 'ab'.repeat(650))
    await stored()
    // Every other character in one transaction: 650 ranges, none touching.
    doc.transact(() => {
      for (let i = 649; i >= 0; i--) text.delete(2 * i + 1, 1)
    })
    await stored()
    // The rest, then undone and done again: the ranges of both items, merged by Yjs where they touch.
    const undo = new Y.UndoManager(text)
    text.delete(0, text.length)
    await stored()
    undo.undo()
    await stored()
    undo.redo()
    undo.destroy()
    await stored()
    // Offline: typing and deleting, then the sync step 2 on reconnecting carries every deletion of the board.
    provider.disconnect()
    text.insert(0, 'offline typing')
    text.delete(0, 8)
    text.insert(text.length, ' and more')
    text.delete(text.length - 4, 2)
    provider.connect()
    await stored()
    expect(await held()).toBe('typing and re')
    // Only its own disconnect closed it: no code of a refusal.
    expect(honest.closes.filter((code) => code >= 4000)).toEqual([])
  }, 120_000)
})
