/**
 * The walks along a text's runs of marks (server/relay/mark-runs.ts,
 * mark-joins.ts) read the room's document, not the frame: a letter with a
 * mark typed beside a stretch of 32,000 deleted characters has the join
 * check step over all of them (4 to 30 ms of the relay's thread), for a frame
 * of some 30 bytes, and nothing counted the steps. Against the real server,
 * through the stock client: a member sending such frames one after another
 * is closed 4029 once the steps, counted as bytes (check-cost.ts,
 * STEPS_PER_BYTE), pass what they may send; without the charge every one is
 * taken. A member typing and deleting beside as long a stretch of their own,
 * as an input method leaves behind, is never refused. A frame the walk
 * refuses is charged its steps too: one deleting the letter between two runs
 * of marks a stretch apart, sent again over new sockets, 4415 each time, ends
 * in 4429 once the steps pass what its sender may write in an hour; before,
 * each cost the 50 bytes of its check.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { useOwnedBoard, type OwnedBoard } from '../helpers/owned-board.ts'
import { frames, openRawSocket } from '../helpers/raw-socket.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
const START = 'Plain. e'
/** Characters typed backwards (an item each, which Yjs cannot merge) and deleted: within the walks' budget of 32,768 steps. */
const DELETED = 32_000
/**
 * Frames each walking the whole stretch: at a byte a step some 32 KB each,
 * so the 16 MiB a person may send at once are spent within about five
 * hundred; uncharged, these cost 96 bytes each.
 */
const FRAMES = 1_000
/** Bytes a second left to a member before a frame whose walk costs twice as much. */
const LEFT = 16_000
/** An honest member's keystrokes and deletions beside the stretch. */
const KEYSTROKES = 100

/** A new card of the board whose judgment is `judgment`. */
const cardOf = async (given: OwnedBoard, judgment: string) => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment })).body.id
/** The judgment as the room holds it. */
const judgmentOf = async (given: OwnedBoard, card: string) => (await given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString()))!

/** A stretch of DELETED characters at the end of the judgment, typed backwards and deleted by `text`'s writer. */
async function deleteStretch(given: OwnedBoard, card: string, text: Y.Text): Promise<void> {
  const before = text.toString()
  text.doc!.transact(() => {
    for (let i = 0; i < DELETED; i++) text.insert(before.length, 'x')
  })
  await waitFor(async () => (await judgmentOf(given, card)).length === before.length + DELETED, 'the characters to delete stored', 60_000)
  text.delete(before.length, DELETED)
  await waitFor(async () => (await judgmentOf(given, card)) === before, 'the deletion stored', 60_000)
}

describe('the walks along runs of marks, charged to their sender', () => {
  const given = useOwnedBoard({
    owner: 'Erin Editor',
    board: 'Walks past deletions',
    // Only the bytes a second decide: no frame is refused for coming too often.
    env: { WS_MAX_MESSAGES_PER_SECOND: '1000000', WS_MAX_BYTES_PER_SECOND: '1024' },
  })

  const newCard = () => cardOf(given, START)
  const held = (card: string) => judgmentOf(given, card)
  const deletedStretch = (card: string, text: Y.Text) => deleteStretch(given, card, text)

  it('closes 4029 a member whose frames each walk a stretch of deleted characters, once the steps pass what they may send', async () => {
    const card = await newCard()
    const hostile = await given.connectEditor('Hostile Hugo')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    await deletedStretch(card, text)

    // Each frame a letter with a mark, put right after the stretch: Yjs names its last deleted character as the one before it.
    for (let i = 0; i < FRAMES; i++) text.insert(START.length, `x${ACUTE}`)
    await waitFor(async () => hostile.closes.length > 0 || (await held(card)).length === START.length + 2 * FRAMES, 'the frames refused or all stored', 120_000)
    expect(hostile.closes[0]).toBe(CLOSE.rateLimited.code)
    const stored = ((await held(card)).length - START.length) / 2
    // About 32 KB a frame out of 16 MiB, less what the stretch took.
    expect(stored).toBeGreaterThan(250)
    expect(stored).toBeLessThan(550)
  }, 240_000)

  it('counts the walks of a frame its sender could not pay for: their bytes a second stay owed on their next socket', async () => {
    const card = await newCard()
    const owner = await given.connectAs(given.owner)
    const text = assessmentText(owner.doc, card, 'judgment')
    await deletedStretch(card, text)
    const hostile = await addAccount(given.server, { name: 'Hostile Hugo' })
    await addMember(given.server, given.boardId, hostile, 'editor')
    const url = async () => `${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, hostile)).token}`

    // A frame of a letter with a mark right after the stretch (its walk some 32 KB), and one typing a word at the start (no walk).
    const framed = (edit: (judgment: Y.Text) => void): Uint8Array => {
      const forger = new Y.Doc()
      Y.applyUpdate(forger, Y.encodeStateAsUpdate(owner.doc))
      let frame: Uint8Array | undefined
      forger.once('update', (update: Uint8Array) => (frame = update))
      edit(assessmentText(forger, card, 'judgment'))
      forger.destroy()
      return frames.update(frame!)
    }
    const walking = framed((judgment) => judgment.insert(START.length, `x${ACUTE}`))
    const plain = framed((judgment) => judgment.insert(0, 'Now '))

    // Of the 16 MiB they may send at once, LEFT bytes are left (a frame of no known type, counted as it comes, then closed).
    const drain = await openRawSocket(await url())
    drain.send(new Uint8Array(16 * 1024 ** 2 - LEFT).fill(99))
    expect((await drain.closed).code).toBe(CLOSE.malformedMessage.code)
    drain.terminate()

    const walker = await openRawSocket(await url())
    walker.send(walking)
    expect((await walker.closed).code).toBe(CLOSE.rateLimited.code)
    walker.terminate()

    // The walk put them some 16 KB in debt, 16 s at 1 KiB a second: the next frame waits for it; uncharged, it was taken.
    const next = await openRawSocket(await url())
    try {
      next.send(plain)
      await waitFor(async () => next.isClosed() || (await held(card)).startsWith('Now '), 'the frame refused or stored')
      expect(next.isClosed()).toBe(true)
      expect((await next.closed).code).toBe(CLOSE.rateLimited.code)
      expect(await held(card)).toBe(START)
    } finally {
      next.terminate()
    }
  }, 240_000)

  it('never refuses a member typing and deleting beside a stretch of deleted characters', async () => {
    const card = await newCard()
    const honest = await given.connectEditor('Honest Hana')
    const text = assessmentText(honest.client.doc, card, 'judgment')
    await deletedStretch(card, text)

    // Each deletion has the join check walk the whole stretch back to the letter before it.
    for (let i = 0; i < KEYSTROKES; i++) {
      text.insert(text.length, 'e')
      text.insert(text.length, ACUTE)
      await waitFor(async () => (await held(card)).endsWith(ACUTE), 'the keystrokes stored')
      text.delete(START.length, 2)
      await waitFor(async () => (await held(card)) === START, 'the deletion stored')
    }
    text.insert(text.length, ` caf${'e'}${ACUTE}`)
    await waitFor(async () => (await held(card)) === `${START} cafe${ACUTE}`, 'the last word stored')
    expect(honest.closes).toEqual([])
  }, 240_000)
})

/** Marks on either side of a letter, each run within the bound, together past it. */
const TWENTY_MARKS = ACUTE.repeat(20)
const BEFORE_THE_LETTER = `a${TWENTY_MARKS}`
/** New sockets a member may open, each sending the refused frame once: before the charge, every one was refused 4415 at 50 bytes of the hour's. */
const SOCKETS = 120

describe('the walks of a refused frame, charged to its sender', () => {
  const given = useOwnedBoard({
    owner: 'Erin Editor',
    board: 'Refused walks',
    // Room for the owner's stretch (32,000 structs at 48 bytes each, 1.5 MB); a refused frame walking all of it counts as 32 KB, so some 64 of them spend the hour.
    env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 * 1024 ** 2) },
  })

  it('ends in 4429 a member sending, over new sockets, a frame refused 4415 after walking a stretch of deleted characters', async () => {
    // `a`, 20 marks, X, the stretch, 20 marks: deleting X joins a run of 40.
    const card = await cardOf(given, `${BEFORE_THE_LETTER}X`)
    const owner = await given.connectAs(given.owner)
    const text = assessmentText(owner.doc, card, 'judgment')
    await deleteStretch(given, card, text)
    // After the stretch: Yjs names its last deleted character as the one before them.
    text.insert(text.length, TWENTY_MARKS)
    const judgment = `${BEFORE_THE_LETTER}X${TWENTY_MARKS}`
    await waitFor(async () => (await judgmentOf(given, card)) === judgment, 'the marks after the stretch stored')

    // Some 10 bytes: only the deletion of X.
    const forger = new Y.Doc()
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(owner.doc))
    let frame: Uint8Array | undefined
    forger.once('update', (update: Uint8Array) => (frame = update))
    assessmentText(forger, card, 'judgment').delete(BEFORE_THE_LETTER.length, 1)
    forger.destroy()

    const hostile = await addAccount(given.server, { name: 'Hostile Hugo' })
    await addMember(given.server, given.boardId, hostile, 'editor')
    const url = `${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, hostile)).token}`
    const codes: number[] = []
    while (codes.length < SOCKETS && (codes.length === 0 || codes.at(-1) === CLOSE.invalidText.code)) {
      const socket = await openRawSocket(url)
      try {
        socket.send(frames.update(frame!))
        codes.push((await socket.closed).code)
      } finally {
        socket.terminate()
      }
    }
    expect(codes[0]).toBe(CLOSE.invalidText.code)
    expect([CLOSE.rateLimited.code, CLOSE.writtenTooMuch.code]).toContain(codes.at(-1))
    expect(codes.length).toBeLessThan(SOCKETS)
    expect(await judgmentOf(given, card)).toBe(judgment)
  }, 240_000)
})
