/**
 * The reason the relay gives (to its log) for a field's value it refuses
 * names what is wrong with it: a value its schema does not read, or one past
 * its field's bounds, which is refused before the schema reads it.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { entity, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { forgedUpdate } from '../../test/helpers/forged-update.ts'
import { TEXT_GROWTH_BOUND } from './text-lengths.ts'
import { validateUpdate } from './validate-update.ts'

const EDITOR = 3_520_003

/** Why the relay refuses an update setting the card's `key` to `value`. */
function refusalOf(key: string, value: unknown): string | undefined {
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Refusals' })
  const card = addAssessment(board, { title: 'Card', judgment: 'Judgment' })
  const update = forgedUpdate(Y.encodeStateAsUpdate(board), EDITOR, (doc) => entity(doc, 'assessments', card)!.set(key, value))
  const reason = validateUpdate(update, board).refused?.reason
  board.destroy()
  return reason
}

describe('a refused field value named for what is wrong with it', () => {
  it('says the schema does not accept a value it cannot read', () => {
    expect(refusalOf('status', 'bogus')).toMatch(/status of an entry of assessments to .*which its schema does not accept$/)
  })

  it('says a value past its bounds is past them, not that the schema refuses it', () => {
    // A tag may hold 64 characters (board-model.ts).
    const reason = refusalOf('tags', ['x'.repeat(TEXT_GROWTH_BOUND * 64 + 1)])
    expect(reason).toMatch(new RegExp(`which is past ${TEXT_GROWTH_BOUND} times the bounds of its field$`))
  })
})
