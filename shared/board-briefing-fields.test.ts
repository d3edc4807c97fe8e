/**
 * The board's own briefing texts in its document: the analysts' BLUF (shared
 * text) and the acknowledgements of check findings, through the mutations,
 * the model, restore, and two replicas at once.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel, replaceBoardContent } from './board-convert.ts'
import { acknowledgementsMap, blufText, BoardError, initBoardDoc } from './board-doc.ts'
import { acknowledgeFinding, updateMeta, withdrawAcknowledgement } from './board-mutations.ts'

function board() {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Test' })
  return doc
}

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

const NOW = { by: 'Ana', now: new Date('2026-11-28T12:00:00.000Z') }

describe('the BLUF', () => {
  it('is absent from the model while empty, so older boards keep their content hash', () => {
    expect(boardToModel(board(), 'b')).not.toHaveProperty('bluf')
  })

  it('is set through the board settings and read back as text', () => {
    const doc = board()
    updateMeta(doc, { bluf: 'Wagner moves to Belarus; no threat to Lithuania this year.' })
    expect(boardToModel(doc, 'b').bluf).toBe('Wagner moves to Belarus; no threat to Lithuania this year.')
    expect(() => updateMeta(doc, { bluf: 'x'.repeat(20_001) })).toThrow(BoardError)
  })

  it('keeps both people’s typing when two replicas write it at once, even the first time', () => {
    const a = board()
    const b = new Y.Doc()
    sync(a, b)
    blufText(a).insert(0, 'Ana writes. ')
    blufText(b).insert(0, 'Ben writes.')
    sync(a, b)
    const text = boardToModel(a, 'b').bluf
    expect(text).toBe(boardToModel(b, 'b').bluf)
    expect(text).toContain('Ana writes.')
    expect(text).toContain('Ben writes.')
    a.destroy()
    b.destroy()
  })
})

describe('acknowledgements', () => {
  it('records a reason and who gave it, keyed by the finding', () => {
    const doc = board()
    acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Pending the source review.' }, NOW)
    expect(boardToModel(doc, 'b').acknowledgements).toEqual([
      { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Pending the source review.', createdAt: '2026-11-28T12:00:00.000Z', createdBy: 'Ana' },
    ])
    acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Reviewed.' }, NOW)
    expect(boardToModel(doc, 'b').acknowledgements?.map((a) => a.reason)).toEqual(['Reviewed.'])
    withdrawAcknowledgement(doc, 'no-confidence:a1')
    expect(boardToModel(doc, 'b')).not.toHaveProperty('acknowledgements')
    expect(() => withdrawAcknowledgement(doc, 'no-confidence:a1')).toThrow(/No acknowledgement/)
  })

  it('refuses an empty reason, an unknown rule, or a key of another rule', () => {
    const doc = board()
    expect(() => acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: '  ' })).toThrow(/reason/)
    expect(() => acknowledgeFinding(doc, { key: 'x:a1', rule: 'made-up' as 'no-confidence', reason: 'r' })).toThrow(BoardError)
    expect(() => acknowledgeFinding(doc, { key: 'no-likelihood:a1', rule: 'no-confidence', reason: 'r' })).toThrow(/not a finding of rule/)
  })

  it('leaves out of the model what another writer put there that is not an acknowledgement', () => {
    const doc = board()
    acknowledgementsMap(doc).set('no-likelihood:a', { rule: 'no-likelihood', reason: '' })
    acknowledgementsMap(doc).set('junk', 42)
    expect(boardToModel(doc, 'b')).not.toHaveProperty('acknowledgements')
  })

  it('is restored with the rest of the content, and the BLUF with it', () => {
    const doc = board()
    updateMeta(doc, { bluf: 'The bottom line.' })
    acknowledgeFinding(doc, { key: 'no-key-judgment:board', rule: 'no-key-judgment', reason: 'A scoping board.' }, NOW)
    const snapshot = boardToModel(doc, 'b')
    updateMeta(doc, { bluf: 'Another line entirely.' })
    withdrawAcknowledgement(doc, 'no-key-judgment:board')
    acknowledgeFinding(doc, { key: 'no-likelihood:x', rule: 'no-likelihood', reason: 'Later.' }, NOW)
    replaceBoardContent(doc, snapshot)
    expect(boardToModel(doc, 'b')).toEqual(snapshot)
    replaceBoardContent(doc, { ...snapshot, bluf: undefined, acknowledgements: undefined })
    expect(boardToModel(doc, 'b')).toEqual({ ...boardToModel(board(), 'b'), title: snapshot.title })
  })
})
