/**
 * A colleague's deletion beside a stretch of deleted characters longer than
 * the join check may walk (MAX_SKIPPED_PER_UPDATE), against the real server
 * through the stock client: a hostile editor typed 34,000 characters
 * backwards just before a colleague's words (an item each, which Yjs cannot
 * merge) and deleted them, and typed and deleted one character just after.
 * Walked one side after the other, the left side spent the whole budget and
 * the right side, one step long, was left unread: the colleague's ordinary
 * deletion of the words was closed 4415 as joining two runs of unknown
 * length, with no combining mark on the board. Walked in alternation, the
 * right side is read and holds no mark, so the deletion is taken; the same
 * deletion where marks lie on both sides is still refused, the run beyond
 * the stretch unknown. The budget is now 262,144 steps: the stretch, still
 * the 34,000 characters of the finding, is read through on both sides, so
 * that the deletion is taken and the one joining 20 marks to 20 refused as the
 * run of 40 it makes (a stretch past the budget through the stock client
 * took longer than the test may; server/relay/mark-joins.test.ts holds the
 * walk past it).
 */
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { blufText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasLongMarkRun, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Deleted characters of the finding: past the walks' budget of 32,768 steps then. */
const PLANTED = 34_000
const TARGET = 'Delete me'
const ACUTE = '\u0301'

describe('a deletion beside a long stretch of deleted characters', () => {
  // The planted characters are as many structs of the bottom line, each 1 KiB of the hostile editor's hour as they are typed
  // (ROOT_STRUCT_BYTES): an hour that holds them, as these cases are about the walks' budget, not that charge.
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Long stretches', env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 30) } })

  /** The bottom line as the room holds it. */
  const held = async () => (await given.server.services.rooms.withRoom(given.boardId, (room) => blufText(room.doc).toString()))!

  /**
   * `before` + TARGET + `after` in the bottom line, then, by a hostile editor's
   * stock client, PLANTED characters typed backwards and deleted just before
   * TARGET, and one typed and deleted just after it.
   */
  const planted = async (text: Y.Text, before: string, after: string) => {
    text.insert(0, `${before}${TARGET}${after}`)
    await waitFor(async () => (await held()) === `${before}${TARGET}${after}`, 'the words stored')
    const hostile = await given.connectEditor('Hostile Hugo')
    const theirs = blufText(hostile.client.doc)
    await waitFor(() => theirs.toString() === `${before}${TARGET}${after}`, 'the words at the hostile editor')
    const at = before.length
    theirs.insert(at + TARGET.length, 'y')
    theirs.delete(at + TARGET.length, 1)
    hostile.client.doc.transact(() => {
      for (let i = 0; i < PLANTED; i++) theirs.insert(at, 'x')
    })
    await waitFor(async () => (await held()).length === before.length + TARGET.length + after.length + PLANTED, 'the planted characters stored', 60_000)
    theirs.delete(at, PLANTED)
    await waitFor(async () => (await held()) === `${before}${TARGET}${after}`, 'the planted characters deleted', 60_000)
    await waitFor(() => text.toString() === `${before}${TARGET}${after}`, 'the deletions at the colleague', 60_000)
    expect(hostile.closes).toEqual([])
  }

  it('takes a colleague’s deletion of words with no mark on either side', async () => {
    const colleague = await given.connectEditor('Colleague Cleo')
    const text = blufText(colleague.client.doc)
    await planted(text, 'Keep this. ', ' please.')

    text.delete('Keep this. '.length, TARGET.length)
    await waitFor(async () => colleague.closes.length > 0 || (await held()) === 'Keep this.  please.', 'the deletion stored or refused')
    expect(colleague.closes).toEqual([])
    expect(await held()).toBe('Keep this.  please.')
  }, 240_000)

  it('refuses the same deletion where marks lie on both sides of the stretch, which it would join', async () => {
    const colleague = await given.connectEditor('Colleague Cleo')
    const text = blufText(colleague.client.doc)
    const marks = ACUTE.repeat(MAX_MARK_RUN - 10)
    await planted(text, `e${marks}`, `${marks}.`)

    // The near side's 20 marks would join the far side's.
    text.delete(1 + marks.length, TARGET.length)
    await waitFor(() => colleague.closes.length > 0, 'the joining deletion closed')
    expect(colleague.closes[0]).toBe(CLOSE.invalidText.code)
    const stored = await held()
    expect(stored).toBe(`e${marks}${TARGET}${marks}.`)
    expect(hasLongMarkRun(stored)).toBe(false)
  }, 240_000)
})
