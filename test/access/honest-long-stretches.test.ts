/**
 * An honest colleague's edits beside long passages that were revised as they
 * were written and then deleted, against the real server through the stock
 * client. A letter put back into a word typed before ("th " then "the ")
 * leaves the word three items Yjs cannot merge, deleted too: a passage of
 * N words is some 3N items (typed straight on, or composed with an input
 * method, a deleted passage is one item). The join check walked the two
 * sides of a deletion a step each within 32,768 steps an update: deleting
 * words between two such deleted passages of 6,000 words read neither side,
 * and a mark typed just after one of 11,500 words could not reach its
 * letter; both were closed 4415 with no other mark on the board. The budget
 * is now as long as a frame of 256 KiB takes to apply, each step charged to
 * the sender (walk-cost.ts).
 */
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { blufText } from '../../shared/board-doc.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
/** Words written in one transaction. */
const PER_FRAME = 250
/** A word as typed ("th "), and the letter then put back into it. */
const TYPED = 'th '
const PUT_BACK = 'e'
/** Words of one passage: 16,000 characters, within what a text may hold. */
const PASSAGE = 4_000

describe('edits beside passages an input method typed and that were deleted', () => {
  // 12,000 words typed into the bottom line and revised are as many root structs and more, each 1 KiB of the typist's hour
  // (ROOT_STRUCT_BYTES): an hour that holds them, as these cases are about the walks' budget, not that charge.
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Composed passages', env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 30) } })

  /** The bottom line as the room holds it. */
  const held = async () => (await given.server.services.rooms.withRoom(given.boardId, (room) => blufText(room.doc).toString()))!

  /**
   * `words` words written at `at` of `text`, each typed and then revised,
   * and deleted, a passage of PASSAGE words at a time (a text holds 20,000
   * characters): each passage is typed after the last one's deleted
   * characters, so that together they leave one stretch.
   */
  const revisedAndDeleted = async (text: Y.Text, at: number, words: number) => {
    const before = text.toString()
    const word = TYPED.length + PUT_BACK.length
    for (let left = words; left > 0; left -= PASSAGE) {
      const passage = Math.min(PASSAGE, left)
      for (let done = 0; done < passage; ) {
        text.doc!.transact(() => {
          for (let i = 0; i < PER_FRAME && done < passage; i++, done++) {
            text.insert(at + done * word, TYPED)
            text.insert(at + done * word + 2, PUT_BACK)
          }
        })
        await waitFor(async () => (await held()).length === before.length + done * word, 'the words stored', 60_000)
      }
      text.delete(at, passage * word)
      await waitFor(async () => (await held()) === before, 'the passage deleted', 60_000)
    }
  }

  it('takes the deletion of words between two deleted passages of 6,000 revised words', async () => {
    const colleague = await given.connectEditor('Colleague Cleo')
    const text = blufText(colleague.client.doc)
    text.insert(0, 'Keep this. Delete me please.')
    await waitFor(async () => (await held()) === 'Keep this. Delete me please.', 'the words stored')
    await revisedAndDeleted(text, 'Keep this. '.length, 6_000)
    await revisedAndDeleted(text, 'Keep this. Delete me'.length, 6_000)
    expect(colleague.closes).toEqual([])

    text.delete('Keep this. '.length, 'Delete me'.length)
    await waitFor(async () => colleague.closes.length > 0 || (await held()) === 'Keep this.  please.', 'the deletion stored or refused', 60_000)
    expect(colleague.closes).toEqual([])
    expect(await held()).toBe('Keep this.  please.')
  }, 300_000)

  it('takes a mark typed on a letter just after a deleted passage of 11,500 revised words', async () => {
    const colleague = await given.connectEditor('Colleague Cleo')
    const text = blufText(colleague.client.doc)
    text.insert(0, 'Cafe, please.')
    await waitFor(async () => (await held()) === 'Cafe, please.', 'the words stored')
    await revisedAndDeleted(text, 'Cafe'.length, 11_500)
    expect(colleague.closes).toEqual([])

    // Typed after the passage: Yjs names its last deleted character as the one before the mark.
    text.insert('Cafe'.length, ACUTE)
    await waitFor(async () => colleague.closes.length > 0 || (await held()) === `Cafe${ACUTE}, please.`, 'the mark stored or refused', 60_000)
    expect(colleague.closes).toEqual([])
    expect(await held()).toBe(`Cafe${ACUTE}, please.`)
  }, 300_000)
})
