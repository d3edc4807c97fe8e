/**
 * Items placed among items inserted at the same place unseen cost Yjs a step
 * each (integration-steps.ts): pages typing backwards at one place, each under
 * its own client id, made a board of 40 pages' 250 characters that held the
 * relay's thread 6.3 to 6.8 s to load, and one more page's frame 0.5 s to
 * apply. Now a frame past MAX_INTEGRATION_STEPS_PER_UPDATE is refused (4422),
 * nothing of it applied or stored, and the steps of the frames taken count
 * against their sender's hour (4429), so the board cannot be built slowly
 * either; a stock page typing beside them is never charged. Against the real
 * server, SQLite, stock clients.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { blufText } from '../shared/board-doc.ts'
import { CLOSE } from '../shared/protocol.ts'
import { MAX_INTEGRATION_STEPS_PER_UPDATE, WRITTEN_BYTES_PER_INTEGRATION_STEP } from '../server/relay/integration-cost.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { openedInTest } from './helpers/opened-in-test.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { typedBackwards as typedAt } from './helpers/typed-backwards.ts'
import { useOwnedBoard, type OwnedBoard } from './helpers/owned-board.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

/** Characters each offline page types backwards: the second page's frame walks the first's for each of its own, 90,000 steps. */
const CHARS = 300

/** The least hour the server takes: the frames below spend it in two or three. */
const HOUR = 4 * 1024 * 1024

/** What an offline page of `client`, which saw only `seen`, sends after typing `chars` characters backwards at the bottom line's start: one update. */
function typedBackwards(seen: Uint8Array, client: number, chars: number): Uint8Array {
  return typedAt(seen, client, chars, blufText, 0)
}

function roomDoc(target: OwnedBoard): Y.Doc | undefined {
  return target.server.services.rooms.loadedRooms.get(target.boardId)?.doc
}

/** Waits until the room holds `chars` characters of `client`'s. */
function whenTaken(target: OwnedBoard, client: number, chars: number): Promise<true> {
  return waitFor(() => {
    const doc = roomDoc(target)
    return doc && Y.getState(doc.store, client) === chars ? true : undefined
  }, `the characters of client ${client} to be taken`)
}

describe('one frame', () => {
  const target = useOwnedBoard({ owner: 'Owner', board: 'Targeted' })

  it('typing backwards where another page typed backwards unseen is refused 4422, nothing of it applied or stored', async () => {
    const { client: mallory, closes: codes } = await target.connectEditor('Mallory')
    const seen = Y.encodeStateAsUpdate(mallory.doc)
    // Two offline pages of hers, the second of a higher id: Yjs walks all of the first's characters for each of its own.
    Y.applyUpdate(mallory.doc, typedBackwards(seen, 1_000, CHARS))
    await whenTaken(target, 1_000, CHARS)
    Y.applyUpdate(mallory.doc, typedBackwards(seen, 2_000, CHARS))
    await waitFor(() => (codes.length > 0 ? true : undefined), 'the second page’s frame to be answered')
    expect(CHARS * CHARS).toBeGreaterThan(MAX_INTEGRATION_STEPS_PER_UPDATE)
    expect(codes[0]).toBe(CLOSE.updateRejected.code)
    expect(Y.getState(roomDoc(target)!.store, 2_000)).toBe(0)
    await target.server.services.rooms.loadedRooms.get(target.boardId)!.whenSaved()
    expect(await withStoredDoc(target.server, target.boardId, (doc) => [Y.getState(doc.store, 1_000), Y.getState(doc.store, 2_000)])).toEqual([CHARS, 0])
  })
})

describe('frames under the bound, one after another', () => {
  const target = useOwnedBoard({ owner: 'Owner', board: 'Targeted', env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(HOUR) } })

  it('spend their sender’s hour: the backwards typist is refused 4429, the stock page typing beside her is not', async () => {
    // Frames of 100 characters, each walking the 300 of the first page and the 100 of each frame before: 30,000 steps and more, 1.9 MB of the hour and more at 64 bytes a step.
    const { client: honest, closes: honestCodes } = await target.connectEditor('Ana')
    const { client: mallory, closes: codes } = await target.connectEditor('Mallory')
    const seen = Y.encodeStateAsUpdate(mallory.doc)
    Y.applyUpdate(mallory.doc, typedBackwards(seen, 1_000, CHARS))
    await whenTaken(target, 1_000, CHARS)
    // Each of her later frames is typed where the pages before it were unseen: a page of its own, higher ids each.
    const frameSteps = 100 * CHARS
    expect(frameSteps).toBeLessThanOrEqual(MAX_INTEGRATION_STEPS_PER_UPDATE)
    const framesWithinHour = Math.floor(HOUR / (frameSteps * WRITTEN_BYTES_PER_INTEGRATION_STEP))
    for (let frame = 0; frame <= framesWithinHour + 1 && codes.length === 0; frame++) {
      const client = 2_000 + frame
      Y.applyUpdate(mallory.doc, typedBackwards(seen, client, 100))
      await waitFor(() => {
        const doc = roomDoc(target)
        return codes.length > 0 || (doc && Y.getState(doc.store, client) === 100) ? true : undefined
      }, `frame ${frame} to be answered`)
    }
    expect(codes[0]).toBe(CLOSE.writtenTooMuch.code)

    // The stock page types, backspaces and revises at the other end of the same bottom line, a keystroke a transaction.
    const bluf = blufText(honest.doc)
    for (const letter of ' The source is credible, probablx') bluf.insert(bluf.length, letter)
    bluf.delete(bluf.length - 1, 1)
    for (const word of ['y', ' so']) bluf.insert(bluf.length, word)
    await waitFor(() => {
      const doc = roomDoc(target)
      return doc && blufText(doc).toString().endsWith('credible, probably so') ? true : undefined
    }, 'the honest typing to be taken')
    expect(honestCodes).toEqual([])
  })
})

describe('a frame whose structs wait for content nobody sent', () => {
  const target = useOwnedBoard({ owner: 'Owner', board: 'Targeted' })
  const { sockets } = openedInTest()

  it('is counted in a step a client set aside, and answered while a colleague types on', async () => {
    const mallory = await addAccount(target.server, { name: 'Mallory' })
    await addMember(target.server, target.boardId, mallory, 'editor')
    const raw = await openRawSocket(`${target.server.wsUrl}/${target.boardId}?token=${(await addToken(target.server, mallory)).token}`)
    sockets.push(raw)
    const { client: ana } = await target.connectEditor('Ana')
    const owner = await target.connectAs(target.owner)
    // Yjs sets aside a client whose first struct starts past what the board holds, with all its structs, at once. The
    // count set aside each of them in turn and filtered the list of clients at each: a review's frame of one such
    // client with 28,000 structs beside 28,000 clients of one struct each held the check's worker, and the board's
    // checks waiting for it, some 30 s, until BOARD_STATE_TIME_BUDGET_MS ended it.
    raw.send(frames.update(setAsideFrame(28_000)))
    const bluf = blufText(ana.doc)
    bluf.insert(0, 'Still here.')
    await waitFor(() => blufText(owner.doc).toString() === 'Still here.', 'the colleague’s keystroke to reach the owner')
    await waitFor(() => raw.isClosed(), 'Mallory’s frame to be answered')
    expect((await raw.closed).code).toBe(CLOSE.updateRejected.code)
  })
})

/** One update: client 2^31's `count` one-unit skipped structs from clock 1 (its clock 0 sent by nobody), and `count` clients' one struct each. */
function setAsideFrame(count: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, count + 1)
  encoding.writeVarUint(encoder, count)
  encoding.writeVarUint(encoder, 2 ** 31)
  encoding.writeVarUint(encoder, 1)
  for (let struct = 0; struct < count; struct++) {
    encoding.writeUint8(encoder, 0)
    encoding.writeVarUint(encoder, 1)
  }
  for (let client = 1; client <= count; client++) {
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, 0)
    encoding.writeUint8(encoder, 0)
    encoding.writeVarUint(encoder, 1)
  }
  encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}
