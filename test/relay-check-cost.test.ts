import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CLOSE } from '../shared/protocol.ts'
import { updateMessage } from '../server/relay/messages.ts'
import { BYTES_PER_PIECE } from '../server/relay/check-cost.ts'
import { MAX_UPDATE_PIECES } from '../server/relay/validate-update.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { craftedCollected, craftedCollectedRun } from './helpers/crafted-update.ts'
import { useOwnedBoard, type OwnedBoard } from './helpers/owned-board.ts'
import { openRawSocket } from './helpers/raw-socket.ts'
import { waitFor } from './helpers/wait-for.ts'

/**
 * An update costs its sender what it costs the relay to check, against the
 * real server (the twenty-fifth red team's attack): an editor sending, socket
 * after socket, a frame of 199,000 collected structs of 2 bytes each plus one
 * write to a root the board's layout lacks, refused only by the last check,
 * pays for its structs (48 bytes each) against the bytes a second, and its
 * refusals against the hour's written bytes, so it is refused before anything
 * is checked after one or two such frames, while another editor's stock
 * provider keeps editing and every edit arrives.
 */

const COLLECTED = MAX_UPDATE_PIECES - 1_000

/** Collected structs of one unit each, 2 bytes apiece, then one write to the root map `evilroot`: refused (4422) only once every struct is checked. */
function denseRefusedFrame(client: number): Uint8Array {
  const evil = new Y.Doc()
  evil.clientID = client + 1
  evil.getMap('evilroot').set('k', 'v')
  return updateMessage(Y.mergeUpdates([craftedCollectedRun(client, COLLECTED), Y.encodeStateAsUpdate(evil)]))
}

/** The close codes of an editor of their own sending `frame` over a new socket each time, as the stock client does after a close, until one is closed `last` or `attempts` are sent; each time another editor's edit is relayed meanwhile. */
async function sendAgainAndAgain(given: OwnedBoard, frame: Uint8Array, last: number, attempts: number): Promise<number[]> {
  const watcher = await given.connectEditor('Wes Watcher')
  const writer = await given.connectEditor('Wren Writer')
  const mallory = await addAccount(given.server, { name: 'Mallory Editor' })
  await addMember(given.server, given.boardId, mallory, 'editor')
  const url = `${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`
  const codes: number[] = []
  for (let attempt = 0; attempt < attempts && codes.at(-1) !== last; attempt++) {
    const socket = await openRawSocket(url)
    try {
      socket.send(frame)
      writer.client.doc.getMap('meta').set('question', `written meanwhile ${attempt}`)
      codes.push((await socket.closed).code)
      await waitFor(() => watcher.client.doc.getMap('meta').get('question') === `written meanwhile ${attempt}` || undefined, "the other editor's edit relayed")
    } finally {
      socket.terminate()
    }
  }
  expect(watcher.closes).toEqual([])
  expect(writer.closes).toEqual([])
  return codes
}

describe('what an update costs to check, against the bytes a second', () => {
  // Refilled at the least allowed, so only the burst (one 16 MiB frame) counts: nothing refills between two frames.
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Check cost', env: { WS_MAX_BYTES_PER_SECOND: '1024' } })

  it('counts a frame of 199,000 collected structs (398 KB) as their structs cost to check: a second one within the burst is closed 4029 unchecked', async () => {
    const codes = await sendAgainAndAgain(given, denseRefusedFrame(525_252), CLOSE.rateLimited.code, 3)
    expect(codes).toEqual([CLOSE.updateRejected.code, CLOSE.rateLimited.code])
  })
})

describe('what a refused update costs its sender', () => {
  // Bytes a second enough for many such frames at once: only the hour's written bytes stop them.
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Refused cost', env: { WS_MAX_BYTES_PER_SECOND: String(64 * 1024 * 1024) } })

  it('closes 4429 unchecked an editor whose refused updates cost past their hour, over new sockets too', async () => {
    const codes = await sendAgainAndAgain(given, denseRefusedFrame(535_353), CLOSE.writtenTooMuch.code, 6)
    expect(codes).toEqual([CLOSE.updateRejected.code, CLOSE.updateRejected.code, CLOSE.writtenTooMuch.code])
  })
})

describe('what a held update costs to check when it is tried again', () => {
  // Refilled at the least allowed, so only the burst (one 16 MiB frame) counts: nothing refills between the frame and its retry.
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Retry cost', env: { WS_MAX_BYTES_PER_SECOND: '1024' } })

  it('charges a retry of 190,000 held collected structs what checking them costs, as the same frame sent again: closed 4029, never applied', async () => {
    // Each costs 9.1 MB to check: one fits in the 16 MiB burst, two do not; their 380 KB of bytes would.
    const pieces = 190_000
    expect(pieces * BYTES_PER_PIECE * 2).toBeGreaterThan(16 * 1024 * 1024)
    const client = 545_454
    const watcher = await given.connectEditor('Wes Watcher')
    const writer = await given.connectEditor('Wren Writer')
    const mallory = await addAccount(given.server, { name: 'Mallory Editor' })
    await addMember(given.server, given.boardId, mallory, 'editor')
    const socket = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`)
    try {
      const room = given.server.services.rooms.loadedRooms.get(given.boardId)!
      // Held: every struct waits for the client's clock 0, which the board lacks.
      socket.send(updateMessage(craftedCollectedRun(client, pieces, 1)))
      // Clock 0 lets the held structs apply, so they are tried again at once.
      socket.send(updateMessage(craftedCollected({ client, clock: 0 }, 1)))
      // Checked twice in a worker thread, 190,000 structs each time: seconds on a loaded machine, as the dense frames take.
      await waitFor(() => socket.isClosed() || Y.getState(room.doc.store, client) > 1 || undefined, 'the held structs tried again', 60_000)
      expect(Y.getState(room.doc.store, client)).toBeLessThanOrEqual(1)
      expect((await socket.closed).code).toBe(CLOSE.rateLimited.code)

      writer.client.doc.getMap('meta').set('question', 'written after the retry')
      await waitFor(() => watcher.client.doc.getMap('meta').get('question') === 'written after the retry' || undefined, "the other editor's edit relayed")
      expect(watcher.closes).toEqual([])
      expect(writer.closes).toEqual([])
    } finally {
      socket.terminate()
    }
  })
})
