import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyBatch, BatchError, MAX_BATCH_OPERATIONS, type BatchOperation } from './board-batch.ts'
import { boardToModel } from './board-convert.ts'
import { BoardError, initBoardDoc } from './board-doc.ts'
import { addAssessment, addSource, deleteAssessment, moveAssessment, orderedAssessments } from './board-mutations.ts'
import { localOrigin } from './change-origin.ts'
import { seededRandom, type SeededRandom } from '../test/helpers/seeded-random.ts'

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

/**
 * A board whose cards have what concurrent inserts and hostile clients leave:
 * keys shared by several cards, keys that are not order keys (or not strings),
 * and `id` fields naming another card or none on the board.
 */
function untidyBoard(random: SeededRandom): Y.Doc {
  const doc = board()
  let count = 0
  const ctx = { now: new Date(Date.UTC(2026, 0, 1)), newId: () => `card-${++count}` }
  for (let i = 0; i < 24; i++) addAssessment(doc, { title: `Card ${i}`, after: random.next() < 0.3 ? null : undefined }, ctx)
  const cards = [...doc.getMap('assessments').values()] as Y.Map<unknown>[]
  const someKey = () => cards[random.int(cards.length)]!.get('order')
  for (const card of cards) {
    const draw = random.next()
    if (draw < 0.25) card.set('order', someKey())
    else if (draw < 0.35) card.set('order', random.pick(['not a key', '', 'a', 'zz', 7])!)
    else if (draw < 0.38) {
      card.set('id', random.next() < 0.5 ? cards[random.int(cards.length)]!.get('id') : 'nobody')
      if (random.next() < 0.5) card.set('order', 'not a key either')
    }
  }
  return doc
}

/** Each operation alone, as a single mutation (a new CardOrder each, sorting every card), until one is refused: which. */
function oneByOne(doc: Y.Doc, operations: BatchOperation[], newIds: string[]): { index: number; kind: string } | null {
  const refs = new Map<string, string>()
  const ctx = { now: new Date(Date.UTC(2026, 0, 2)), newId: () => newIds.shift()! }
  const resolve = (id: string) => (id.startsWith('@') ? refs.get(id.slice(1))! : id)
  for (const [index, operation] of operations.entries()) {
    try {
      if (operation.op === 'add') {
        const after = operation.input.after as string | null | undefined
        refs.set(operation.ref!, addAssessment(doc, { title: String(operation.input.title), ...(after === undefined ? {} : { after: after && resolve(after) }) }, ctx))
      } else if (operation.op === 'move') moveAssessment(doc, resolve(operation.id), operation.after && resolve(operation.after), ctx)
      else deleteAssessment(doc, resolve(operation.id), ctx)
    } catch (error) {
      if (!(error instanceof BoardError)) throw error
      return { index, kind: error.kind }
    }
  }
  return null
}

const cardsOf = (doc: Y.Doc) => ({
  order: orderedAssessments(doc).map((card) => [card.get('id'), card.get('order'), String(card.get('title'))]),
  stored: doc.getMap('assessments').toJSON(),
})

/**
 * Applies the batch to a copy of `original` and, when it applies, each
 * operation alone to another copy: the cards must stand, and hold the keys,
 * exactly as there. Whether a batch is refused its scratch board decides
 * (board-batch.ts), not the order kept here; refused, it changes nothing.
 */
function placedAsOneByOne(original: Y.Doc, operations: BatchOperation[], context: string): boolean {
  const batched = new Y.Doc()
  Y.applyUpdate(batched, Y.encodeStateAsUpdate(original))
  let ids: string[]
  try {
    ids = applyBatch(batched, { operations }, { now: new Date(Date.UTC(2026, 0, 2)) }).ids
  } catch (error) {
    if (!(error instanceof BatchError)) throw error
    expect(cardsOf(batched), context).toEqual(cardsOf(original))
    return false
  }
  const alone = new Y.Doc()
  Y.applyUpdate(alone, Y.encodeStateAsUpdate(original))
  expect(oneByOne(alone, operations, ids.filter((_, index) => operations[index]!.op === 'add')), context).toBeNull()
  expect(cardsOf(batched), context).toEqual(cardsOf(alone))
  return true
}

describe('the order of cards a batch keeps across its operations', () => {
  it('places a card after fixing a broken key it set aside before, as one by one', () => {
    const original = board()
    const ctx = { newId: () => `card-${original.getMap('assessments').size + 1}` }
    const [first, , third, impostor] = ['one', 'two', 'three', 'impostor'].map((title) => addAssessment(original, { title }, ctx))
    // The impostor claims the first card's id: moving the first card sets it aside, with its broken key.
    const cards = original.getMap('assessments')
    ;(cards.get(impostor!) as Y.Map<unknown>).set('id', first)
    ;(cards.get(impostor!) as Y.Map<unknown>).set('order', 'not a key')
    const operations: BatchOperation[] = [
      { op: 'move', collection: 'assessments', id: first!, after: third! },
      { op: 'add', collection: 'assessments', ref: 'last', input: { title: 'Last' } },
    ]
    expect(placedAsOneByOne(original, operations, 'impostor')).toBe(true)
  })

  it('places every card exactly where its operations one by one place them, on boards with tied, broken and hostile keys and ids (seeded)', () => {
    let applied = 0
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed)
      const original = untidyBoard(random)
      // Cards the batch has not deleted, by key or ref; now and then a card by what its `id` field says.
      const live = [...original.getMap('assessments').keys()]
      const idFields = [...original.getMap('assessments').values()].map((card) => String((card as Y.Map<unknown>).get('id')))
      const named = () => (random.next() < 0.05 ? random.pick(idFields)! : random.pick(live)!)
      const operations: BatchOperation[] = []
      for (let i = 0; i < 30; i++) {
        const draw = random.next()
        const after = random.next() < 0.2 ? null : random.next() < 0.2 ? undefined : named()
        if (draw < 0.4) {
          operations.push({ op: 'add', collection: 'assessments', ref: `r${i}`, input: { title: `New ${i}`, ...(after === undefined ? {} : { after }) } })
          live.push(`@r${i}`)
        } else if (draw < 0.92) {
          operations.push({ op: 'move', collection: 'assessments', id: named(), after: after ?? null })
        } else {
          const gone = live.splice(random.int(live.length), 1)[0]!
          operations.push({ op: 'delete', collection: 'assessments', id: gone })
        }
      }
      if (placedAsOneByOne(original, operations, `seed ${seed}`)) applied++
    }
    expect(applied).toBeGreaterThan(100)
  })
})
