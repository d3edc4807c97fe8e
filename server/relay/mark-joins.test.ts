/**
 * The budget the walks of mark-joins.ts share: an honest deletion beside more
 * deleted characters than one walk used to step over is read through them,
 * a frame deleting many letters of one stretch reads the stretch once (the
 * walker's steps counted), and text without marks costs no step however many
 * stretches a frame deletes.
 * Boards of the size this needs are built here, not sent over a socket
 * (test/access/joined-mark-runs.test.ts sends the attacks to the real server).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { AppliedText, MAX_SKIPPED_PER_UPDATE } from './applied-text.ts'
import { heldDeletions } from './held-deletions.ts'
import { markRunsJoined } from './mark-joins.ts'
import { validateUpdate } from './validate-update.ts'

const ACUTE = '\u0301'
const EDITOR = 3_510_007
const LETTERS = 3_510_011
const BETWEEN = 3_510_013

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

  it('reads the side of a deletion a step long where the other side passes the budget, each walked a step in turn', () => {
    const words = 'Delete me'
    const plain = boardWithDeletions('Keep. ', MAX_SKIPPED_PER_UPDATE + 1_000, `${words}x please.`)
    // The x after the words deleted too: a stretch of one item on their other side, holding no mark beyond.
    assessmentText(plain.board, plain.card, 'judgment').delete('Keep. '.length + words.length, 1)
    expect(deleting(plain.board, plain.card, 'Keep. '.length, words.length)).toBeNull()
    plain.board.destroy()
    const marked = boardWithDeletions(`e${ACUTE.repeat(20)}`, MAX_SKIPPED_PER_UPDATE + 1_000, `${words}x${ACUTE.repeat(20)}.`)
    assessmentText(marked.board, marked.card, 'judgment').delete(21 + words.length, 1)
    // Past the budget the run before the stretch is unknown: the 20 marks after it would join it.
    expect(deleting(marked.board, marked.card, 21, words.length)?.event).toBe(CLOSE.invalidText)
    marked.board.destroy()
  })

  it('still refuses a deletion joining runs past the bound across deleted characters', () => {
    const { board, card } = boardWithDeletions(`a${ACUTE.repeat(20)}`, 300, `b${ACUTE.repeat(20)}`)
    expect(deleting(board, card, 21, 1)?.event).toBe(CLOSE.invalidText)
    expect(deleting(board, card, 22, 5)).toBeNull()
    board.destroy()
  })
})

/**
 * A board whose one judgment is "Plain. " and `letters` letters of one client
 * (one range of clocks), each followed by `between` characters of another
 * (typed backwards, an item each), which are deleted when `deleteBetween`.
 */
function boardOfLetters(letters: number, between: number, deleteBetween: boolean): { board: Y.Doc; card: string } {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Letters' })
  const card = addAssessment(board, { title: 'Card', judgment: 'Plain. ' })
  const writer = new Y.Doc()
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(board))
  writer.clientID = LETTERS
  assessmentText(writer, card, 'judgment').insert(7, 'x'.repeat(letters))
  Y.applyUpdate(board, Y.encodeStateAsUpdate(writer))
  writer.destroy()
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), BETWEEN, (doc) => {
    const judgment = assessmentText(doc, card, 'judgment')
    doc.transact(() => {
      for (let letter = letters - 1; letter >= 0; letter--) for (let i = 0; i < between; i++) judgment.insert(8 + letter, 'y')
    })
    if (deleteBetween) doc.transact(() => {
      for (let letter = letters - 1; letter >= 0; letter--) judgment.delete(8 + letter * (between + 1), between)
    })
  })
  Y.applyUpdate(board, update)
  return { board, card }
}

/** An update deleting every letter of boardOfLetters at once (`stride` characters apart as the text reads), and the walker's verdict with its steps. */
function deletingLetters(board: Y.Doc, card: string, letters: number, stride: number) {
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), EDITOR, (doc) => {
    const judgment = assessmentText(doc, card, 'judgment')
    doc.transact(() => {
      for (let letter = letters - 1; letter >= 0; letter--) judgment.delete(7 + letter * stride, 1)
    })
  })
  const { ds } = Y.decodeUpdate(update)
  const text = new AppliedText(ds)
  return { update, joined: markRunsJoined(heldDeletions(board, ds), text), steps: text.stepsTaken() }
}

describe('the walks of one frame deleting many stretches', () => {
  it('walks a stretch once, however many of its letters the frame deletes', () => {
    // The frame of 3f8dd53's reviewer (letters each behind 257 deleted items, all deleted at once), at a size within the budget.
    const letters = 100
    const { board, card } = boardOfLetters(letters, 257, true)
    const { update, joined, steps } = deletingLetters(board, card, letters, 1)
    expect(update.byteLength).toBeLessThan(32)
    expect(joined).toBeNull()
    // The deleted items once each, and a step or so a letter: walking from each letter again, 257 more a letter.
    expect(steps).toBeLessThanOrEqual(letters * 257 + 2 * letters)
    expect(validateUpdate(update, board).refused).toBeNull()
    board.destroy()
  })

  it('spends no step on text without marks, however many stretches the frame deletes', () => {
    // Past the budget of 32,768 it was written for: a step a stretch would have spent it; none is taken (board building is quadratic past this).
    const letters = 33_768
    const { board, card } = boardOfLetters(letters, 1, false)
    const { update, joined, steps } = deletingLetters(board, card, letters, 2)
    expect(joined).toBeNull()
    expect(steps).toBe(0)
    expect(validateUpdate(update, board).refused).toBeNull()
    board.destroy()
  })
})
