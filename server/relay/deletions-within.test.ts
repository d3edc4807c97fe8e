import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deletionsWithin, deletionsWithinSplits } from './deletions-within.ts'

/** A board's doc holding two entries, and a page's copy of it. */
function boardAndPage() {
  const board = new Y.Doc()
  board.getMap('cards').set('kept', 'Kept')
  board.getMap('cards').set('gone', 'Gone')
  const page = new Y.Doc()
  Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
  return { board, page, known: Y.encodeStateVector(page) }
}

describe('the deletions an update makes of what a board holds', () => {
  it('are taken alone: what the update adds, and deletes of its own, are left out', () => {
    const { board, page, known } = boardAndPage()
    page.getMap('cards').delete('gone')
    page.getMap('cards').set('new', 'Added')
    page.getText('notes').insert(0, 'typed then removed')
    page.getText('notes').delete(0, 5)
    const deletions = deletionsWithin(Y.encodeStateAsUpdate(page, known), board)
    expect(deletions).not.toBeNull()
    Y.applyUpdate(board, deletions!)
    expect(board.getMap('cards').toJSON()).toEqual({ kept: 'Kept' })
    expect(board.getText('notes').toString()).toBe('')
    // Nothing is left waiting for content the board does not hold.
    expect(board.store.pendingDs).toBeNull()
    expect(board.store.pendingStructs).toBeNull()
  })

  it('are none when the update only adds, or only deletes what the board lacks', () => {
    const { board, page, known } = boardAndPage()
    page.getMap('cards').set('new', 'Added')
    expect(deletionsWithin(Y.encodeStateAsUpdate(page, known), board)).toBeNull()
    page.getMap('cards').delete('new')
    expect(deletionsWithin(Y.encodeStateAsUpdate(page, known), board)).toBeNull()
  })
})

describe('the deletions a full board takes within the splits it allows', () => {
  /** A board's text of one run of characters, a page's copy deleting two characters inside it (two splits each), and the page's update. */
  function twoCharactersDeleted() {
    const board = new Y.Doc()
    board.getText('notes').insert(0, 'abcdefgh')
    const page = new Y.Doc()
    Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
    const known = Y.encodeStateVector(page)
    page.transact(() => {
      page.getText('notes').delete(5, 1)
      page.getText('notes').delete(2, 1)
    })
    return { board, update: Y.encodeStateAsUpdate(page, known) }
  }

  it('are the whole update when its splits fit, the ranges that fit in their order when not, and none when no split fits', () => {
    const { board, update } = twoCharactersDeleted()
    expect(deletionsWithinSplits(update, board, 4)).toBe(update)
    expect(deletionsWithinSplits(update, board, 1)).toBeNull()
    Y.applyUpdate(board, deletionsWithinSplits(update, board, 3)!)
    expect(board.getText('notes').toString()).toBe('abdefgh')
  })

  it('count nothing for a deletion of a whole run', () => {
    const board = new Y.Doc()
    board.getText('notes').insert(0, 'whole')
    const page = new Y.Doc()
    Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
    const known = Y.encodeStateVector(page)
    page.getText('notes').delete(0, 5)
    const update = Y.encodeStateAsUpdate(page, known)
    expect(deletionsWithinSplits(update, board, 0)).toBe(update)
  })
})
