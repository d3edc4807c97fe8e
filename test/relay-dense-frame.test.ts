/**
 * An update dear to check, sent by a member, against the real server: its
 * check runs in a worker thread while every other board goes on. 150,000
 * one-character items typed backwards (1.6 MB), one frame, held the relay's
 * event loop 0.4 s on a quiet machine and 1.3 s on a loaded one while it was
 * checked, every board of the instance frozen. Now another board's editor
 * types on, each keystroke acknowledged, while the frame is still being
 * checked; the frame is applied all the same, after what its sender sent
 * before it and before what it sent after.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { blufText, metaMap } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { updateMessage } from '../server/relay/messages.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { heldOnFutureCharacters } from './helpers/crafted-update.ts'
import { useOwnedBoard, type OwnedBoard } from './helpers/owned-board.ts'
import { METRICS_TOKEN, metricsText, sample } from './helpers/prometheus-text.ts'
import { frames, openRawSocket, syncReplies, type RawSocket } from './helpers/raw-socket.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from './helpers/yjs-client.ts'

const CHARACTERS = 150_000
/** Characters of the frame left in the bottom line: the rest deleted in the same frame, which keeps the text within twice its limit (relay/text-lengths.ts) and every item dear to check. */
const KEPT = 10_000

/** An update of `CHARACTERS` one-character items typed backwards into the board's bottom line, all but `KEPT` deleted again: no two merge, each names the one before as its right neighbour. */
function typedBackwards(client: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  const text = blufText(doc)
  doc.transact(() => {
    for (let i = 0; i < CHARACTERS; i++) text.insert(0, 'x')
    text.delete(KEPT, CHARACTERS - KEPT)
  })
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** Updates the server has counted as received from writers. */
const received = async (given: OwnedBoard) => sample(await metricsText(given.server), 'assay_updates_received_total') ?? 0

/** The length of the bottom line in the server's own doc of the board: the dense frame applied there once it is KEPT. */
const appliedAtServer = (given: OwnedBoard) => blufText(given.server.services.rooms.loadedRooms.get(given.boardId)!.doc).length

/** A raw socket of a new editor of the board, and a provider of the owner's on a board of their own, with another watching it. */
async function attackerAndOtherBoard(given: OwnedBoard): Promise<{ attacker: RawSocket; writer: TestClient; watcher: TestClient; cleanUp: () => void }> {
  const mallory = await addAccount(given.server, { name: 'Mallory Editor' })
  await addMember(given.server, given.boardId, mallory, 'editor')
  const attacker = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`)
  const other = await given.api.createBoard('Another board')
  const token = (await addToken(given.server, given.owner)).token
  const writer = connectClient(given.server.wsUrl, other, { token })
  const watcher = connectClient(given.server.wsUrl, other, { token })
  await Promise.all([writer.synced(), watcher.synced()])
  return {
    attacker,
    writer,
    watcher,
    cleanUp() {
      attacker.terminate()
      writer.destroy()
      watcher.destroy()
    },
  }
}

describe('an update dear to check, checked off the relay’s thread', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Dense frame', env: {
      METRICS_TOKEN,
      WS_MAX_BYTES_PER_SECOND: String(64 * 1024 * 1024),
      // Room for the held items (2.6 MB in Yjs's v1 encoding), so that they are held rather than refused.
      PENDING_UPDATE_MAX_BYTES: String(8 * 1024 * 1024),
      // The frame types 140,000 characters backwards into the bottom line, each a root struct of 1 KiB of its sender's hour (ROOT_STRUCT_BYTES):
      // an hour that holds them, as this suite is about checking the frame off the thread, not about that charge.
      WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 30),
    },
  })

  it('acknowledges another board’s keystrokes while the frame is still being checked, then applies the frame', async () => {
    const { attacker, writer, watcher, cleanUp } = await attackerAndOtherBoard(given)
    try {
      const writerCloses = closeCodes(writer)
      const before = await received(given)
      attacker.send(updateMessage(typedBackwards(626_262)))
      // Counted as the relay takes it in, right before its check: from here on it is being checked, or decided.
      await waitFor(async () => (await received(given)) > before, 'the dense frame taken in')
      const keystrokes: { delivered: number; denseAppliedThen: boolean }[] = []
      for (let keystroke = 1; keystroke <= 3; keystroke++) {
        metaMap(writer.doc).set('question', `typed while the frame is checked ${keystroke}`)
        await waitFor(() => metaMap(watcher.doc).get('question') === `typed while the frame is checked ${keystroke}`, 'the other board’s keystroke at its watcher')
        keystrokes.push({ delivered: keystroke, denseAppliedThen: appliedAtServer(given) === KEPT })
      }
      // The first keystroke went round while the frame was still undecided: on the relay's thread, it was decided before anything else ran.
      expect(keystrokes[0]).toEqual({ delivered: 1, denseAppliedThen: false })

      await waitFor(() => appliedAtServer(given) === KEPT || undefined, 'the dense frame applied', 60_000)
      // Acknowledged: committed and broadcast, its sender's own socket sent it back.
      await waitFor(() => attacker.received.some((frame) => frame.byteLength > CHARACTERS), 'the dense frame broadcast back to its sender', 60_000)
      expect(attacker.isClosed()).toBe(false)
      expect(writerCloses).toEqual([])
    } finally {
      cleanUp()
    }
  })

  it('acknowledges another board’s keystrokes while held changes of 150,000 items are checked again at a typist’s character', async () => {
    const { attacker, writer, watcher, cleanUp } = await attackerAndOtherBoard(given)
    const typist = await given.connectEditor('Tia Typist')
    try {
      const room = given.server.services.rooms.loadedRooms.get(given.boardId)!
      const typed = (clock: number) => waitFor(() => Y.getState(room.doc.store, typist.client.doc.clientID) === clock || undefined, `the typist's character ${clock} at the server`)
      blufText(typist.client.doc).insert(0, 'hello')
      await typed(5)
      attacker.send(updateMessage(heldOnFutureCharacters(typist.client.doc.clientID, 5, CHARACTERS)))
      attacker.send(frames.syncStep1(new Uint8Array([0])))
      // Answered once the update was checked and applied: everything in it waits for the typist.
      await waitFor(() => syncReplies(attacker.received).length === 1, 'the update held', 60_000)
      const attackerConnection = [...room.connections].find((connection) => connection.identity.name === 'Mallory Editor')!

      // Its first character lets one item apply: the whole update is checked and applied again.
      blufText(typist.client.doc).insert(5, '!')
      await typed(6)
      metaMap(writer.doc).set('question', 'typed while held changes are checked again')
      await waitFor(() => metaMap(watcher.doc).get('question') === 'typed while held changes are checked again', 'the other board’s keystroke at its watcher')
      // Not decided yet: on the relay's thread it was decided, and its sender closed, before the typist's character was even seen.
      expect(attackerConnection.closed).toBe(false)

      expect(await attacker.closed).toEqual(CLOSE.missingDependencies)
      expect(typist.closes).toEqual([])
    } finally {
      cleanUp()
    }
  })

  it('applies what its sender sent after the frame only once the frame is applied, and a board-mate’s keystroke after it', async () => {
    const { attacker, cleanUp } = await attackerAndOtherBoard(given)
    const mate = await given.connectEditor('Bea Boardmate')
    const watcher = await given.connectEditor('Wes Watcher')
    try {
      // Each change the watcher's doc takes, with whether the frame had been applied by then.
      const seen: { question: unknown; bluf: number }[] = []
      watcher.client.doc.on('update', () => seen.push({ question: metaMap(watcher.client.doc).get('question'), bluf: blufText(watcher.client.doc).length }))
      // Written over the board as it stands, so that it replaces the board's question rather than lose to it.
      const after = new Y.Doc()
      after.clientID = 636_364
      Y.applyUpdate(after, Y.encodeStateAsUpdate(watcher.client.doc))
      const boardAsItStands = Y.encodeStateVector(after)
      metaMap(after).set('question', 'sent right after the frame')
      attacker.send(updateMessage(typedBackwards(636_363)))
      attacker.send(updateMessage(Y.encodeStateAsUpdate(after, boardAsItStands)))
      after.destroy()
      metaMap(mate.client.doc).set('title', 'typed by a board-mate meanwhile')

      await waitFor(() => metaMap(watcher.client.doc).get('question') === 'sent right after the frame' || undefined, 'the later frame at the watcher', 60_000)
      await waitFor(() => metaMap(watcher.client.doc).get('title') === 'typed by a board-mate meanwhile' || undefined, 'the board-mate’s keystroke at the watcher', 60_000)
      expect(seen.find((change) => change.question === 'sent right after the frame')?.bluf).toBe(KEPT)
      expect(attacker.isClosed()).toBe(false)
      expect(mate.closes).toEqual([])
      expect(watcher.closes).toEqual([])
    } finally {
      cleanUp()
    }
  })
})
