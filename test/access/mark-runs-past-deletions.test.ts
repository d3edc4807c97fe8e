/**
 * A run of combining marks is held to MAX_MARK_RUN however many deleted
 * characters lie between its parts. The relay's walk along a text stopped
 * after 64 items and took the run to end there: a hostile editor put 30 marks
 * on a letter, then a hundred characters typed backwards (an item each, which
 * Yjs cannot merge) and deleted, then 30 marks after the last of them, and so
 * on, each batch seeing no mark before it, and every colleague's page was
 * sent one letter with as many marks as they liked. Against the real server,
 * through the stock client: the batch past the bound is refused 4415, so is
 * one frame that sends the deleted characters and the marks together, a
 * fresh reader gets a run within it, and an honest mark typed beside the
 * deleted characters is stored.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasLongMarkRun, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { forgedUpdate } from '../helpers/forged-update.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
/** Deleted characters between two batches of marks: more than the walk took before it gave up. */
const DELETED_BETWEEN = 100
/** The client ids the hostile editors' second copies write under. */
const COPY_CLIENT = 3_510_001
const FORGER_CLIENT = 3_510_002

describe('a run of marks past deleted characters', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Marks past deletions' })

  it('refuses marks that join a run across deleted characters, and stores an honest mark beside them', async () => {
    const card = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment: 'Plain.' })).body.id
    /** The judgment as the room holds it, not read cut. */
    const held = async () => (await given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString()))!

    const hostile = await given.connectEditor('Hostile Hugo')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    text.insert(text.length, `a${ACUTE.repeat(MAX_MARK_RUN)}`)
    await waitFor(async () => (await held()).endsWith(ACUTE), 'the first batch of marks taken')

    /**
     * Characters typed backwards after the run (an item each) and deleted, then
     * MAX_MARK_RUN marks put after the last of them: sent by a second copy of
     * the document, as if typed before the deletion reached it, so that the
     * marks name a deleted character as the one before them.
     */
    const batchPastDeletions = async () => {
      const end = text.length
      hostile.client.doc.transact(() => {
        for (let i = 0; i < DELETED_BETWEEN; i++) text.insert(end, 'x')
      })
      await waitFor(async () => (await held()).endsWith('x'), 'the characters to delete taken')
      const marks = forgedUpdate(Y.encodeStateAsUpdate(hostile.client.doc), COPY_CLIENT, (copy) => {
        const copied = assessmentText(copy, card, 'judgment')
        copied.insert(copied.length, ACUTE.repeat(MAX_MARK_RUN))
      })
      text.delete(end, DELETED_BETWEEN)
      await waitFor(async () => (await held()).endsWith(ACUTE), 'the deletion taken')
      Y.applyUpdate(hostile.client.doc, marks)
    }

    await batchPastDeletions()
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the batch past the bound closed 4415')

    // All in one frame: the deleted characters sent as such, each after the last (a character put in the title between them keeps Yjs from merging them), then the marks.
    const oneFrame = await given.connectEditor('Hostile Ivo')
    const frame = forgedUpdate(Y.encodeStateAsUpdate(oneFrame.client.doc), FORGER_CLIENT, (forger) => {
      const forged = assessmentText(forger, card, 'judgment')
      const title = assessmentText(forger, card, 'title')
      const end = forged.length
      forger.transact(() => {
        for (let i = 0; i < DELETED_BETWEEN; i++) {
          forged.insert(forged.length, 'x')
          title.insert(0, 'y')
        }
      })
      forger.transact(() => {
        forged.delete(end, DELETED_BETWEEN)
        title.delete(0, DELETED_BETWEEN)
      })
      forged.insert(forged.length, ACUTE.repeat(MAX_MARK_RUN))
    })
    Y.applyUpdate(oneFrame.client.doc, frame)
    await waitFor(() => oneFrame.closes.includes(CLOSE.invalidText.code), 'the frame past the bound closed 4415')

    const { client: reader } = await given.connectEditor('Fresh Reader')
    const read = assessmentText(reader.doc, card, 'judgment').toString()
    expect(read).toBe(`Plain.a${ACUTE.repeat(MAX_MARK_RUN)}`)
    expect(hasLongMarkRun(read)).toBe(false)

    // An honest mark typed beside the deleted characters, within the bound: read past them, and stored.
    const { client: honest } = await given.connectEditor('Honest Hana')
    const judgment = assessmentText(honest.doc, card, 'judgment')
    judgment.insert(judgment.length, ` e${ACUTE}`)
    await waitFor(async () => (await held()).endsWith(` e${ACUTE}`), 'the honest mark stored')
  })
})
