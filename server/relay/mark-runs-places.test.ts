/**
 * Groups of one update at several places of one run of marks are read along
 * the run (mark-runs.ts, longestRunAcross): a letter one of them brings ends
 * the run and starts the next, so what lies on its other side is not counted
 * with it, and what it carries on is. test/access/mark-runs-one-frame sends
 * the attacks through a stock client to the real server.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { validateUpdate } from './validate-update.ts'

const ACUTE = '\u0301'
const marks = (count: number) => ACUTE.repeat(count)
const EDITOR = 3_710_001

/** The verdict on one transaction inserting each of `inserts` ([index, text], applied in order) into a judgment `Plain a` + 20 marks. */
function verdict(inserts: readonly [number, string][]) {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Places of one run' })
  const card = addAssessment(board, { title: 'Card', judgment: `Plain a${marks(20)}` })
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), EDITOR, (doc) => {
    const judgment = assessmentText(doc, card, 'judgment')
    doc.transact(() => {
      for (const [index, text] of inserts) judgment.insert(index, text)
    })
  })
  const refused = validateUpdate(update, board).refused
  board.destroy()
  return refused?.event ?? null
}

describe('an update at several places of one run', () => {
  it('counts what a letter it inserts carries on with the rest of the run and the marks added after it', () => {
    // a, 5 marks | b and 10 marks | 15 marks | 5 marks: the b's run is 30, then 31.
    expect(verdict([[27, marks(5)], [12, `b${marks(10)}`]])).toBeNull()
    expect(verdict([[27, marks(6)], [12, `b${marks(10)}`]])).toBe(CLOSE.invalidText)
  })

  it('does not count what lies before a letter it inserts with what comes after it', () => {
    // a, then 15 marks and b before the a's 20 marks, and 5 marks after them: runs of 15 and 25.
    expect(verdict([[27, marks(5)], [7, `${marks(15)}b`]])).toBeNull()
    // The same 15 marks with no letter join the a's run: 40.
    expect(verdict([[27, marks(5)], [7, marks(15)]])).toBe(CLOSE.invalidText)
  })
})
