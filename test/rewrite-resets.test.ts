/**
 * One editor forcing reload after reload: round after round, under a fresh
 * client id, a different one-character insert sent to each of two instances
 * (each stores its own, and finds the other's rewriting what it holds). Each
 * such reload closes every socket on the board; an instance reloads a board
 * for this at most once every REWRITE_RESET_INTERVAL_MS, and the rewrites
 * found meanwhile wait for one reload when it ends. Honest edits meanwhile are
 * all stored, both instances end on the board as stored, and the forger is
 * named and closed for good.
 */
import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { boardJson, forgedRounds, honestTyping, reloadsOf, untilBoardAsStored } from './helpers/forged-rounds.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { openRawSocket, type RawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { REDIS_URL } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** Short, so that the test sees a whole interval and the reload at its end. */
const INTERVAL_MS = 4000
/** Forged rounds, all within one interval. */
const ROUNDS = 8
const ROUND_MS = 250

describeUnless(missing)('a client id written to two instances again and again', () => {
  const { start, connect } = instancesAfterEach()
  const { sockets } = openedInTest()

  it('reloads a board at most once an interval on each instance, stores every honest edit, converges, and names and closes the forger', async () => {
    const logLines: string[] = []
    const logSink = (line: string) => {
      if (/"level":(40|50)/.test(line)) logLines.push(line)
    }
    const env = { REWRITE_RESET_INTERVAL_MS: String(INTERVAL_MS) }
    const one = await start({ accounts: true, logSink, env })
    const two = await start({ database: one.database, accounts: true, logSink, env })
    const [owner, forger] = [await addAccount(one, { name: 'Owner' }), await addAccount(one, { name: 'Mallory' })]
    const ownerToken = (await addToken(one, owner)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Reload loop')
    await addMember(one, boardId, forger, 'editor')
    const forgerToken = (await addToken(one, forger)).token

    const honest = [connect(one, boardId, { token: ownerToken }), connect(two, boardId, { token: ownerToken })] as const
    await Promise.all(honest.map((client) => client.synced()))
    const assessmentId = addAssessment(honest[0].doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    await waitFor(() => boardToModel(honest[1].doc, boardId).assessments.length === 1, 'the assessment on instance two')
    const closes = honest.map(reloadsOf)

    // Honest typing on both instances all along, each keystroke a marker of its own.
    const { typed, stop } = honestTyping(honest, assessmentId)
    let forgerSockets: RawSocket[]
    try {
      const open = () => Promise.all([one, two].map((server) => openRawSocket(`${server.wsUrl}/${boardId}?token=${forgerToken}`)))
      forgerSockets = await forgedRounds({ rounds: ROUNDS, roundMs: ROUND_MS, idBase: 0x100000, base: () => Y.encodeStateAsUpdate(honest[0].doc), assessmentId, open, text: (_round, socket) => (socket === 0 ? 'x' : 'y') })
      sockets.push(...forgerSockets)
    } finally {
      stop()
    }

    // The reload the later rounds wait for comes once the interval since the first has passed.
    await waitFor(() => closes.every(({ at }) => at.length >= 2), 'each honest client told once more to reconnect, as the interval ends', INTERVAL_MS * 3)
    const json = await untilBoardAsStored([one, two], boardId, honest, assessmentId, typed, 20_000)
    // A client keeps what it was once sent, the forger's characters that the log holds otherwise among them; one joining now gets the board as stored.
    for (const server of [one, two]) {
      const fresh = connect(server, boardId, { token: ownerToken })
      await fresh.synced()
      expect(boardJson(fresh.doc, boardId)).toBe(json)
    }

    // At most one reload an interval on each instance: the first at once, then one for all the rounds after it.
    for (const { at, otherCodes } of closes) {
      expect(at).toHaveLength(2)
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(INTERVAL_MS - 500)
      expect(otherCodes).toEqual([])
    }
    // The forger is named, as an author of the relayed update and whoever wrote the same id here, and closed for good
    // where it alone made that update (an honest keystroke committed in the same batch leaves the authors ambiguous).
    const named = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => Array.isArray(entry.relayedFrom))
    expect(named.length).toBeGreaterThan(0)
    expect(named.filter((entry) => !(entry.relayedFrom as string[]).includes(forger.id) || entry.writtenHereBy !== forger.id)).toEqual([])
    expect(named.some((entry) => entry.closing === forger.id)).toBe(true)
    expect(named.filter((entry) => entry.closing !== forger.id && entry.closing !== null)).toEqual([])
    const forgerCloses = await Promise.all(forgerSockets.filter((socket) => socket.isClosed()).map((socket) => socket.closed))
    expect(forgerCloses.some(({ code }) => code === CLOSE.updateRejected.code)).toBe(true)
    // One still open when the board reloads (its rewrite not yet found) is told to reconnect, as everyone is.
    expect(forgerCloses.filter(({ code }) => code !== CLOSE.updateRejected.code && code !== CLOSE.boardReloaded.code)).toEqual([])
  })

  it('relays an update with its authors after it, which an instance of the version before reads past, and takes one without them', async () => {
    const one = await start({ accounts: true })
    const two = await start({ database: one.database, accounts: true })
    const owner = await addAccount(one, { name: 'Owner' })
    const ownerToken = (await addToken(one, owner)).token
    const boardId = await apiClient(one.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Authors on the bus')
    const writer = connect(one, boardId, { token: ownerToken })
    const reader = connect(two, boardId, { token: ownerToken })
    await Promise.all([writer.synced(), reader.synced()])
    const listener = new Redis(REDIS_URL)
    const published: Buffer[] = []
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => published.push(message))
    try {
      await listener.subscribe(one.services.redis!.channelOf(boardId))
      const assessmentId = addAssessment(writer.doc, { title: 'Signed', judgment: 'By the owner.' })
      await waitFor(() => published.length > 0, 'the commit published')
      // Read as the version before reads it: the sender, the kind and the update, and nothing after.
      const decoder = decoding.createDecoder(new Uint8Array(published[0]!))
      decoding.readVarString(decoder)
      expect(decoding.readVarUint(decoder)).toBe(0)
      const read = new Y.Doc()
      Y.applyUpdate(read, decoding.readVarUint8Array(decoder))
      expect(boardToModel(read, boardId).assessments.map((assessment) => assessment.title)).toEqual(['Signed'])
      const authors = Array.from({ length: decoding.readVarUint(decoder) }, () => decoding.readVarString(decoder))
      expect(authors).toEqual([owner.id])

      // Published as the version before publishes it, with no authors (and only there, stored nowhere): taken all the same.
      const elsewhere = new Y.Doc()
      Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(writer.doc))
      const before = Y.encodeStateVector(elsewhere)
      assessmentText(elsewhere, assessmentId, 'judgment').insert(0, 'Older instance: ')
      const encoder = encoding.createEncoder()
      encoding.writeVarString(encoder, crypto.randomUUID())
      encoding.writeVarUint(encoder, 0)
      encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(elsewhere, before))
      const publisher = new Redis(REDIS_URL)
      try {
        await publisher.publish(one.services.redis!.channelOf(boardId), Buffer.from(encoding.toUint8Array(encoder)))
      } finally {
        publisher.disconnect()
      }
      await waitFor(() => assessmentText(reader.doc, assessmentId, 'judgment').toString().startsWith('Older instance: '), 'the update without authors on instance two')
    } finally {
      listener.disconnect()
    }
  })
})
