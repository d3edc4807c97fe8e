/**
 * The bound on the relay's walk past deleted characters (mark-runs.ts): a
 * mark typed beside a stretch of deleted characters is read past them up to
 * MAX_SKIPPED_PER_UPDATE, refused past that, and an item whose marks do not
 * face the stretch is not held to it. A board of the size this needs is
 * built here, not sent over a socket (test/access/mark-runs-past-deletions
 * sends the attack to the real server).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { MAX_SKIPPED_PER_UPDATE } from './applied-text.ts'
import { validateUpdate } from './validate-update.ts'

const ACUTE = '\u0301'
const TYPIST = 3_510_003

/** A board whose one judgment is `text` followed by `deleted` characters typed backwards (an item each) and deleted. */
function boardEndingInDeletions(text: string, deleted: number): { board: Y.Doc; card: string } {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Deleted characters' })
  const card = addAssessment(board, { title: 'Card', judgment: text })
  const judgment = assessmentText(board, card, 'judgment')
  board.transact(() => {
    for (let i = 0; i < deleted; i++) judgment.insert(text.length, 'x')
  })
  judgment.delete(text.length, deleted)
  return { board, card }
}

/** The verdict on `typed` appended to the judgment: Yjs puts it after the deleted characters, the last of them its origin. */
function appended(board: Y.Doc, card: string, typed: string) {
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), TYPIST, (doc) => {
    const judgment = assessmentText(doc, card, 'judgment')
    judgment.insert(judgment.length, typed)
  })
  return validateUpdate(update, board).refused
}

describe('runs of marks past deleted characters', () => {
  it('reads a mark typed past as many deleted characters as an update may step over', () => {
    const { board, card } = boardEndingInDeletions('Plain. e', MAX_SKIPPED_PER_UPDATE)
    expect(appended(board, card, ACUTE)).toBeNull()
    board.destroy()
    const long = boardEndingInDeletions(`Plain. e${ACUTE.repeat(30)}`, MAX_SKIPPED_PER_UPDATE)
    expect(appended(long.board, long.card, ACUTE)?.event).toBe(CLOSE.invalidText)
    long.board.destroy()
  })

  it('refuses a mark past twice that, and takes what faces the stretch with no mark', () => {
    const { board, card } = boardEndingInDeletions('Plain. e', 2 * MAX_SKIPPED_PER_UPDATE)
    expect(appended(board, card, ACUTE)?.event).toBe(CLOSE.invalidText)
    expect(appended(board, card, `x${ACUTE}`)).toBeNull()
    board.destroy()
  })
})
