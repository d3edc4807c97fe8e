/**
 * Runs of combining marks a member joins instead of typing, against the real
 * server: a frame that only deletes the letters between runs of 30 (the red
 * team's, 36,990 marks on one letter, which froze a colleague's tab 12.7 to
 * 15.3 s), one that inserts the runs and deletes the letters at once, and one
 * whose 64 clients each add 30 marks after the same letter (each alone within
 * the bound, side by side a run of 1,920). Each is refused 4415 and the
 * colleague's text keeps its runs within MAX_MARK_RUN; honest typing and
 * deleting, joins within the bound and Vietnamese text with decomposed
 * accents are stored.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, BLUF_ROOT, blufText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasLongMarkRun, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { addToken } from '../helpers/accounts.ts'
import { forgedUpdate } from '../helpers/forged-update.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { frames, openRawSocket } from '../helpers/raw-socket.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
const MARKS = ACUTE.repeat(MAX_MARK_RUN)
/** One letter, then runs of marks each ended by an x: no run past the bound until the x's go. */
const ROUNDS = 40
const RUNS = `a${`${MARKS}x`.repeat(ROUNDS)}`

describe('joined mark runs', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Joined marks' })

  const newCard = async (judgment: string) => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment })).body.id
  /** The judgment as the room holds it. */
  const held = (card: string) => given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString())
  /** The room's document, as an update: what a forged frame is written against. */
  const roomState = async () => (await given.server.services.rooms.withRoom(given.boardId, (room) => Y.encodeStateAsUpdate(room.doc))) ?? expect.fail('the board has no room')
  /** The board's document as a colleague who connects now has it. */
  const colleagueDoc = async () => (await given.connectEditor('Colleague Cleo')).client.doc

  it('refuses deletions that join runs of marks past the bound, in a frame of their own or with the runs, and stores honest edits', async () => {
    const card = await newCard('Plain.')
    const hostile = await given.connectEditor('Hostile Deleter')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    text.insert(6, RUNS)
    await waitFor(async () => (await held(card)) === `Plain.${RUNS}`, 'the runs within the bound taken')
    // The red team's second frame: it only deletes every x.
    hostile.client.doc.transact(() => {
      for (let round = ROUNDS; round >= 1; round--) text.delete(6 + round * (MAX_MARK_RUN + 1), 1)
    })
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the deleting frame closed 4415')

    // The same in the bottom line, a root text of the board.
    const inBottomLine = await given.connectEditor('Hostile Bottom Line')
    const bottomLine = blufText(inBottomLine.client.doc)
    bottomLine.insert(0, RUNS)
    await waitFor(() => given.server.services.rooms.withRoom(given.boardId, (room) => room.doc.share.get(BLUF_ROOT)?._length === RUNS.length), 'the runs in the bottom line taken')
    inBottomLine.client.doc.transact(() => {
      for (let round = ROUNDS; round >= 1; round--) bottomLine.delete(round * (MAX_MARK_RUN + 1), 1)
    })
    await waitFor(() => inBottomLine.closes.includes(CLOSE.invalidText.code), 'the frame deleting in the bottom line closed 4415')

    // Both in one frame, as a merge of the two updates sends them: the item and the deletion of its x's.
    const base = await roomState()
    const inserted = forgedUpdate(base, 424_242, (doc) => assessmentText(doc, card, 'judgment').insert(0, RUNS))
    const withRuns = new Y.Doc()
    Y.applyUpdate(withRuns, base)
    Y.applyUpdate(withRuns, inserted)
    const deleted = forgedUpdate(Y.encodeStateAsUpdate(withRuns), 424_243, (doc) => {
      const judgment = assessmentText(doc, card, 'judgment')
      doc.transact(() => {
        for (let round = ROUNDS; round >= 1; round--) judgment.delete(round * (MAX_MARK_RUN + 1), 1)
      })
    })
    withRuns.destroy()
    const oneFrame = Y.mergeUpdates([inserted, deleted])
    const socket = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, given.owner)).token}`)
    try {
      socket.send(frames.update(oneFrame))
      expect((await socket.closed).code).toBe(CLOSE.invalidText.code)
    } finally {
      socket.terminate()
    }

    const colleague = await colleagueDoc()
    const seen = assessmentText(colleague, card, 'judgment').toString()
    expect(seen).toBe(`Plain.${RUNS}`)
    expect(hasLongMarkRun(seen)).toBe(false)
    expect(blufText(colleague).toString()).toBe(RUNS)

    // An honest editor: a letter deleted between runs that join within the bound, typing and deleting, Vietnamese.
    const honest = await given.connectEditor('Honest Hana')
    const judgment = assessmentText(honest.client.doc, card, 'judgment')
    judgment.delete(0, judgment.length)
    judgment.insert(0, `e${ACUTE.repeat(10)}x${ACUTE.repeat(MAX_MARK_RUN - 10)} Plain text.`)
    judgment.delete(11, 1)
    judgment.insert(judgment.length, ' Tiếng Việt có dấu.'.normalize('NFD'))
    judgment.delete(judgment.length - 1, 1)
    const expected = `e${MARKS} Plain text. Tiếng Việt có dấu`.normalize('NFD')
    await waitFor(async () => (await held(card)) === expected, 'the honest edits taken')
    expect(honest.closes).toEqual([])
  })

  it('refuses marks added after a letter by the frame that deletes the next letter, which carries marks of its own', async () => {
    const card = await newCard('Plain a')
    const hostile = await given.connectEditor('Hostile Grower')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    text.insert(7, `b${MARKS}`)
    await waitFor(async () => (await held(card)) === `Plain ab${MARKS}`, 'the letter and its marks taken')
    // The reviewer's frame, one transaction of a stock client: 30 marks after the a, and the b deleted, a run of 60 (30 more each frame, before).
    hostile.client.doc.transact(() => {
      text.insert(7, MARKS)
      text.delete(7 + MARKS.length, 1)
    })
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the growing frame closed 4415')
    const seen = assessmentText(await colleagueDoc(), card, 'judgment').toString()
    expect(seen).toBe(`Plain ab${MARKS}`)
    expect(hasLongMarkRun(seen)).toBe(false)
  })

  it('refuses marks that many clients of one frame put side by side past the bound, and stores a few', async () => {
    const card = await newCard('Plain a')
    const hostile = await given.connectEditor('Hostile Siblings')
    const base = await roomState()
    const sideBySide = (clients: number, marks: string) =>
      Y.mergeUpdates(Array.from({ length: clients }, (_, index) => forgedUpdate(base, 5_000 + index, (doc) => assessmentText(doc, card, 'judgment').insert(7, marks))))
    // The reviewer's frame: 64 clients (as many as one update may bring), 30 marks each after the same letter.
    Y.applyUpdate(hostile.client.doc, sideBySide(64, MARKS))
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the frame of siblings closed 4415')
    expect(assessmentText(await colleagueDoc(), card, 'judgment').toString()).toBe('Plain a')

    // Two people adding an accent each to the same letter at once: a run of two, stored.
    const honest = await given.connectEditor('Honest Hana')
    Y.applyUpdate(honest.client.doc, sideBySide(2, ACUTE))
    await waitFor(async () => (await held(card)) === `Plain a${ACUTE.repeat(2)}`, 'the two accents taken')
    expect(honest.closes).toEqual([])
  })
})
