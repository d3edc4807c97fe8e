/**
 * The budget the walks of mark-joins.ts share: an honest deletion beside more
 * deleted characters than one walk used to step over is read through them,
 * and a frame deleting many letters of one stretch reads the stretch once.
 * Boards of the size this needs are built here, not sent over a socket
 * (test/access/joined-mark-runs.test.ts sends the attacks to the real server).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { validateUpdate } from './validate-update.ts'

const ACUTE = '\u0301'
const EDITOR = 3_510_007

/** A board whose one judgment is `before` + `deleted` characters typed backwards (an item each) and deleted + `after`. */
function boardWithDeletions(before: string, deleted: number, after: string): { board: Y.Doc; card: string } {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Deleted characters' })
  const card = addAssessment(board, { title: 'Card', judgment: before + after })
  const judgment = assessmentText(board, card, 'judgment')
  board.transact(() => {
    for (let i = 0; i < deleted; i++) judgment.insert(before.length, 'x')
  })
  judgment.delete(before.length, deleted)
  return { board, card }
}

/** The verdict on an update deleting `length` characters of the judgment at `index`. */
function deleting(board: Y.Doc, card: string, index: number, length: number) {
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), EDITOR, (doc) => assessmentText(doc, card, 'judgment').delete(index, length))
  return validateUpdate(update, board).refused
}

describe('runs of marks joined by a deletion, read past deleted characters', () => {
  it('takes an honest deletion of a letter whose accent stays, beside a deleted paragraph', () => {
    // CodeMirror sends a letter replaced under its kept accent as the letter deleted: "word " + deleted + "d́ e" → "word ́ e".
    const { board, card } = boardWithDeletions('word ', 300, `d${ACUTE} e`)
    expect(deleting(board, card, 5, 1)).toBeNull()
    board.destroy()
  })

  it('still refuses a deletion joining runs past the bound across deleted characters', () => {
    const { board, card } = boardWithDeletions(`a${ACUTE.repeat(20)}`, 300, `b${ACUTE.repeat(20)}`)
    expect(deleting(board, card, 21, 1)?.event).toBe(CLOSE.invalidText)
    expect(deleting(board, card, 22, 5)).toBeNull()
    board.destroy()
  })
})
