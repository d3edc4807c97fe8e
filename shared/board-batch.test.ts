import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyBatch, BatchError, MAX_BATCH_OPERATIONS } from './board-batch.ts'
import { boardToModel } from './board-convert.ts'
import { BoardError, initBoardDoc } from './board-doc.ts'
import { addSource } from './board-mutations.ts'
import { localOrigin } from './change-origin.ts'

function board() {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Batch' })
  return doc
}

describe('a batch of mutations', () => {
  it('adds cards, claims and links that refer to each other, as one update and one undo step', () => {
    const doc = board()
    const source = addSource(doc, { name: 'NATO', reliability: 'B' })
    const origin = localOrigin()
    const undo = new Y.UndoManager([doc.getMap('assessments'), doc.getMap('claims'), doc.getMap('links')], { trackedOrigins: new Set([origin]) })
    let updates = 0
    doc.on('update', () => updates++)

    const result = applyBatch(
      doc,
      {
        operations: [
          { op: 'add', collection: 'assessments', ref: 'card', input: { title: 'Wagner regroups' } },
          { op: 'add', collection: 'claims', ref: 'claim', input: { text: 'Convoys were seen.', sourceId: source, credibility: 2 } },
          { op: 'add', collection: 'links', input: { assessmentId: '@card', claimId: '@claim', rating: 'C' } },
          { op: 'update', collection: 'assessments', id: '@card', patch: { likelihood: 5 } },
        ],
      },
      { by: 'Ana', origin },
    )

    expect(updates).toBe(1)
    const model = boardToModel(doc, 'b')
    expect(result.ids).toHaveLength(4)
    expect(model.assessments).toMatchObject([{ id: result.ids[0], title: 'Wagner regroups', likelihood: 5, createdBy: 'Ana' }])
    expect(model.links).toMatchObject([{ assessmentId: result.ids[0], claimId: result.ids[1], rating: 'C' }])
    expect(undo.undoStack).toHaveLength(1)
    undo.undo()
    expect(boardToModel(doc, 'b')).toMatchObject({ assessments: [], claims: [], links: [] })
  })

  it('changes nothing when one operation is refused, and says which one and why', () => {
    const doc = board()
    const before = Y.encodeStateAsUpdate(doc)
    const refused = () =>
      applyBatch(doc, {
        operations: [
          { op: 'add', collection: 'assessments', ref: 'card', input: { title: 'Kept?' } },
          { op: 'add', collection: 'links', input: { assessmentId: '@card', claimId: 'no-such-claim', rating: 'C' } },
        ],
      })
    expect(refused).toThrow(BatchError)
    expect(refused).toThrow(/^Operation 2: No claim with id no-such-claim on this board\. Nothing in the batch was applied\.$/)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  it('refuses invalid fields, unknown refs and batches over the limit before changing anything', () => {
    const doc = board()
    const error = (operations: unknown[]) => {
      try {
        applyBatch(doc, { operations } as Parameters<typeof applyBatch>[1])
      } catch (caught) {
        return caught instanceof BoardError ? [caught.kind, caught.message] : caught
      }
      return null
    }
    expect(error([{ op: 'add', collection: 'assessments', input: { title: '' } }])).toEqual([
      'invalid',
      expect.stringMatching(/^Operation 1: Invalid assessment: title: /),
    ])
    expect(error([{ op: 'update', collection: 'assessments', id: '@later', patch: {} }])).toEqual([
      'invalid',
      'Operation 1: @later names no entity an earlier operation of this batch added. Nothing in the batch was applied.',
    ])
    expect(error([])).toEqual(['invalid', expect.stringMatching(/^Invalid batch: operations: /)])
    const tooMany = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, () => ({ op: 'add', collection: 'assessments', input: { title: 'x' } }))
    expect(error(tooMany)).toEqual(['invalid', expect.stringMatching(/^Invalid batch: operations: /)])
    expect(boardToModel(doc, 'b').assessments).toEqual([])
  })
})
