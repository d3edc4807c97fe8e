/**
 * One Yjs client id written to two instances at once: an editor sends each
 * instance a different update under the same client id and clocks. Each
 * instance takes its own, and Yjs drops the other's, arriving over Redis
 * under ids it already holds. Every instance must end on the board as the
 * update log holds it, and nothing a relay refuses may reach a client.
 */
import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, updateAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { frames, openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import { REDIS_URL, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { closeCodes } from './helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** The client id both forged updates are written under. */
const FORGED_CLIENT = 0x1234567

/** A bus message starts with the sending instance's id, then its kind: 0 for a committed update. */
const BUS_KIND_UPDATE = 0
function busMessageKind(message: Buffer): number {
  const decoder = decoding.createDecoder(new Uint8Array(message))
  decoding.readVarString(decoder)
  return decoding.readVarUint(decoder)
}

describeUnless(missing)('one client id written to two instances at once', () => {
  const { start, connect } = instancesAfterEach()
  const sockets: RawSocket[] = []
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate()
  })

  /** Two instances on one board holding one assessment, an honest client on each, and a log of what they warn of. */
  const twoInstances = async () => {
    const warnings: string[] = []
    const logSink = (line: string) => {
      if (/"level":(40|50)/.test(line)) warnings.push(line)
    }
    const one = await start({ logSink })
    const two = await start({ database: one.database, logSink })
    const boardId = await apiClient(one.url).createBoard('Forged client id')
    const honestOne = connect(one, boardId)
    const honestTwo = connect(two, boardId)
    await Promise.all([honestOne.synced(), honestTwo.synced()])
    const assessmentId = addAssessment(honestOne.doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    await waitFor(() => boardToModel(honestTwo.doc, boardId).assessments.length === 1, 'the assessment on instance two')
    const base = Y.encodeStateAsUpdate(honestOne.doc)
    return { one, two, boardId, assessmentId, honestOne, honestTwo, base, warnings }
  }

  /** The board's doc as the forger holds it, and the update `edit` makes to it under FORGED_CLIENT. */
  const forge = (base: Uint8Array, edit: (doc: Y.Doc) => void) => {
    const doc = new Y.Doc()
    doc.clientID = FORGED_CLIENT
    Y.applyUpdate(doc, base)
    const before = Y.encodeStateVector(doc)
    edit(doc)
    return { doc, update: Y.encodeStateAsUpdate(doc, before) }
  }

  /** Sends each instance its own update at the same moment, over raw sockets. */
  const sendAtOnce = async (boardId: string, servers: [TestServer, Uint8Array][]) => {
    const opened = await Promise.all(servers.map(([server]) => openRawSocket(`${server.wsUrl}/${boardId}`)))
    sockets.push(...opened)
    opened.forEach((socket, index) => socket.send(frames.update(servers[index]![1])))
    return opened
  }

  /** The board as the app reads it. */
  const boardJson = (doc: Y.Doc, boardId: string) => JSON.stringify(boardToModel(doc, boardId))

  /** Every item of every shared text in `doc` that is not a run of characters (or deleted). */
  const nonTextInTexts = (doc: Y.Doc) => {
    const found: string[] = []
    for (const structs of doc.store.clients.values()) {
      for (const struct of structs) {
        if (!(struct instanceof Y.Item) || struct.deleted || !(struct.parent instanceof Y.Text)) continue
        if (!(struct.content instanceof Y.ContentString) && !(struct.content instanceof Y.ContentFormat)) found.push(`${struct.id.client}:${struct.id.clock} ${struct.content.constructor.name}`)
      }
    }
    return found
  }

  /**
   * Until both instances' rooms hold the board as a fresh load of the log
   * reads it, all saved; then a fresh client on each instance must get that
   * board, with nothing but characters in its texts.
   */
  const convergedOnStored = async (one: TestServer, two: TestServer, boardId: string) => {
    const storedJson = () => withStoredDoc(one, boardId, (doc) => boardJson(doc, boardId))
    await waitFor(async () => {
      const stored = await storedJson()
      return [one, two].every((server) => {
        const room = server.services.rooms.loadedRooms.get(boardId)
        return room !== undefined && room.isSaved && boardJson(room.doc, boardId) === stored
      })
    }, 'both instances on the board as stored')
    const stored = await storedJson()
    for (const server of [one, two]) {
      const fresh = connect(server, boardId)
      await fresh.synced()
      expect(boardJson(fresh.doc, boardId)).toBe(stored)
      expect(nonTextInTexts(fresh.doc)).toEqual([])
    }
    await withStoredDoc(one, boardId, (doc) => expect(nonTextInTexts(doc)).toEqual([]))
    return stored
  }

  it('brings both instances back to the board as stored when each took a different text under one client id', async () => {
    const { one, two, boardId, assessmentId, honestOne, honestTwo, base, warnings } = await twoInstances()
    const codesOne = closeCodes(honestOne)
    const codesTwo = closeCodes(honestTwo)
    const toOne = forge(base, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'Highly likely: the bridge holds. '))
    const toTwo = forge(base, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'Highly unlikely: the bridge fails. '))
    const [forgerOne, forgerTwo] = await sendAtOnce(boardId, [
      [one, toOne.update],
      [two, toTwo.update],
    ])

    await convergedOnStored(one, two, boardId)
    // Each instance's room was loaded again, its sockets told to reconnect (the forger's among them), and it was said why.
    await waitFor(() => codesOne.includes(CLOSE.boardReloaded.code) && codesTwo.includes(CLOSE.boardReloaded.code), 'the honest clients told to reconnect')
    await Promise.all([forgerOne!.closed, forgerTwo!.closed])
    expect(warnings.some((line) => line.includes('the same client id was written to two instances'))).toBe(true)

    // Honest typing after it lands alike everywhere.
    const typist = connect(two, boardId)
    await typist.synced()
    assessmentText(typist.doc, assessmentId, 'judgment').insert(0, '[reviewed] ')
    const stored = await convergedOnStored(one, two, boardId)
    expect(stored).toContain('[reviewed] ')
  })

  it('lets no change through that lands elsewhere as content a shared text refuses', async () => {
    const { one, two, boardId, assessmentId, base } = await twoInstances()
    const mapSide = forge(base, (doc) => updateAssessment(doc, assessmentId, { status: 'in-review' }))
    const textSide = forge(base, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'x'))
    await sendAtOnce(boardId, [
      [one, mapSide.update],
      [two, textSide.update],
    ])
    await convergedOnStored(one, two, boardId)

    // A next value of the status written after (C,0) as the map's value: on a board where (C,0) is a character of the judgment, it would land in the text.
    const before = Y.encodeStateVector(mapSide.doc)
    const forgedUntil = Y.getState(mapSide.doc.store, FORGED_CLIENT)
    updateAssessment(mapSide.doc, assessmentId, { status: 'final' })
    const followUp = Y.encodeStateAsUpdate(mapSide.doc, before)
    const [forger] = await sendAtOnce(boardId, [[one, followUp]])
    await waitFor(() => {
      const room = one.services.rooms.loadedRooms.get(boardId)
      return forger!.isClosed() || (room !== undefined && Y.getState(room.doc.store, FORGED_CLIENT) > forgedUntil && room.isSaved)
    }, 'the follow-up refused or stored')
    // Whichever forged update the log holds first wins; the other's deletion of the status stays (a card without one is left out of the model).
    await convergedOnStored(one, two, boardId)
  })

  it('takes the same update sent to both instances at once, as a client resending to another instance does, without reloading', async () => {
    const { one, two, boardId, assessmentId, honestOne, honestTwo, base, warnings } = await twoInstances()
    const codesOne = closeCodes(honestOne)
    const codesTwo = closeCodes(honestTwo)
    const rooms = [one, two].map((server) => server.services.rooms.loadedRooms.get(boardId))
    const listener = new Redis(REDIS_URL)
    const committed: number[] = []
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => committed.push(busMessageKind(message)))
    try {
      await listener.subscribe(one.services.redis!.channelOf(boardId))
      const resent = forge(base, (doc) => assessmentText(doc, assessmentId, 'judgment').insert(0, 'Likely. '))
      const forgers = await sendAtOnce(boardId, [
        [one, resent.update],
        [two, resent.update],
      ])
      await waitFor(() => committed.filter((kind) => kind === BUS_KIND_UPDATE).length >= 2, 'both instances to commit it')
      // Published after each instance's commit, on the same connection: once both have arrived, so has the other's commit.
      assessmentText(honestOne.doc, assessmentId, 'judgment').insert(0, 'one ')
      assessmentText(honestTwo.doc, assessmentId, 'judgment').insert(0, 'two ')
      const bothMarks = (text: string) => text.includes('one ') && text.includes('two ')
      await waitFor(() => bothMarks(assessmentText(honestOne.doc, assessmentId, 'judgment').toString()) && bothMarks(assessmentText(honestTwo.doc, assessmentId, 'judgment').toString()), 'both edits on both instances')
      expect([one, two].map((server) => server.services.rooms.loadedRooms.get(boardId))).toEqual(rooms)
      expect([...codesOne, ...codesTwo]).toEqual([])
      expect(forgers.map((socket) => socket.isClosed())).toEqual([false, false])
      expect(warnings.filter((line) => line.includes('two instances'))).toEqual([])
      await convergedOnStored(one, two, boardId)
    } finally {
      listener.disconnect()
    }
  })
})
