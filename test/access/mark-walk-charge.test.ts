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
 * as an input method leaves behind, is never refused.
 */
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
const START = 'Plain. e'
/** Characters typed backwards (an item each, which Yjs cannot merge) and deleted: within the walks' budget of 32,768 steps. */
const DELETED = 32_000
/**
 * Frames each walking the whole stretch: at half a byte a step some 16 KB
 * each, so the 16 MiB a person may send at once are spent within about a
 * thousand; uncharged, these cost 96 bytes each.
 */
const FRAMES = 1_500
/** An honest member's keystrokes and deletions beside the stretch. */
const KEYSTROKES = 100

describe('the walks along runs of marks, charged to their sender', () => {
  const given = useOwnedBoard({
    owner: 'Erin Editor',
    board: 'Walks past deletions',
    // Only the bytes a second decide: no frame is refused for coming too often.
    env: { WS_MAX_MESSAGES_PER_SECOND: '1000000', WS_MAX_BYTES_PER_SECOND: '1024' },
  })

  const newCard = async () => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment: START })).body.id
  /** The judgment as the room holds it. */
  const held = async (card: string) => (await given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString()))!

  /** A stretch of DELETED characters after the judgment's text, typed backwards and deleted by `text`'s writer. */
  const deletedStretch = async (card: string, text: Y.Text) => {
    text.doc!.transact(() => {
      for (let i = 0; i < DELETED; i++) text.insert(START.length, 'x')
    })
    await waitFor(async () => (await held(card)).length === START.length + DELETED, 'the characters to delete stored', 60_000)
    text.delete(START.length, DELETED)
    await waitFor(async () => (await held(card)) === START, 'the deletion stored', 60_000)
  }

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
    // About 16 KB a frame out of 16 MiB, less what the stretch took.
    expect(stored).toBeGreaterThan(500)
    expect(stored).toBeLessThan(1_100)
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
