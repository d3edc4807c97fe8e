/**
 * One entity read alone (entityInModel) against the whole board's model
 * (boardToModel), on a board broken in every way the model guards against:
 * an entity that is not valid, a claim whose source is gone, a quote whose
 * document is gone, links to what the model leaves out, and values that are
 * no entity at all (which once made every read of the board throw), and an
 * assessment's title or judgment stored as no shared text. The seeded
 * convergence fuzz checks the same on boards of concurrent changes.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel, entityInModel, replaceBoardContent } from './board-convert.ts'
import { collection, COLLECTIONS, initBoardDoc, requireEntity } from './board-doc.ts'
import * as mutations from './board-mutations.ts'
import { expectEachEntityAsPlaced } from '../test/helpers/entity-in-model.ts'

it('reads each entity as the model places it, and null for what the model leaves out', () => {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Broken' })
  const [nato, gone] = ['NATO', 'Gone'].map((name) => mutations.addSource(doc, { name }))
  const text = 'Convoys were seen. Camps were built.'
  const report = mutations.addDocument(doc, { title: 'Report', text })
  const kept = mutations.addClaim(doc, { text: 'Convoys were seen.', sourceId: nato!, documentId: report, paragraph: 0, start: 0, end: 18 })
  const orphan = mutations.addClaim(doc, { text: 'Seen by someone', sourceId: gone! })
  const card = mutations.addAssessment(doc, { title: 'Build-up' })
  const broken = mutations.addAssessment(doc, { title: 'Broken card' })
  const links = [
    mutations.addLink(doc, { assessmentId: card, claimId: kept, rating: 'C' }),
    mutations.addLink(doc, { assessmentId: card, claimId: orphan, rating: 'I' }),
    mutations.addLink(doc, { assessmentId: broken, claimId: kept, rating: 'C' }),
  ]
  // What only a hostile or broken client writes: deletions without their cascades, a time that is none, a field out of its range.
  collection(doc, 'sources').delete(gone!)
  collection(doc, 'documents').delete(report)
  requireEntity(doc, 'assessments', broken).set('createdAt', 'yesterday')
  requireEntity(doc, 'assessments', card).set('likelihood', 99)

  const model = boardToModel(doc, 'board')
  expect(entityInModel(doc, 'claims', orphan)).toBeNull()
  expect(entityInModel(doc, 'assessments', broken)).toBeNull()
  // A value its schema does not recognise reads as not assessed: the card stays, with its links.
  expect(entityInModel(doc, 'assessments', card)).toMatchObject({ id: card, likelihood: null })
  expect(model.unrecognised).toEqual([{ collection: 'assessments', id: card, field: 'likelihood' }])
  expect(entityInModel(doc, 'claims', kept)).toMatchObject({ id: kept, text: 'Convoys were seen.' })
  expect(entityInModel(doc, 'claims', kept)).not.toHaveProperty('documentId')
  expect(links.map((id) => entityInModel(doc, 'links', id) !== null)).toEqual([true, false, false])
  expect(entityInModel(doc, 'sources', 'nothing')).toBeNull()
  expectEachEntityAsPlaced(doc, model)
  doc.destroy()
})

it('takes a value that is not an entity as absent, and an entity with fields of the wrong type as not valid', () => {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Junk' })
  const nato = mutations.addSource(doc, { name: 'NATO' })
  const claim = mutations.addClaim(doc, { text: 'Convoys were seen.', sourceId: nato })
  const [first, second] = ['First', 'Second'].map((title) => mutations.addAssessment(doc, { title }))
  const link = mutations.addLink(doc, { assessmentId: first!, claimId: claim, rating: 'C' })
  const real = boardToModel(doc, 'board')
  // What only a hostile or broken client writes: in every collection, values that are no entity at all;
  doc.transact(() => {
    for (const name of COLLECTIONS) {
      const junk = collection(doc, name) as Y.Map<unknown>
      junk.set('junk-number', 42)
      junk.set('junk-text', new Y.Text('Evil'))
      junk.set('junk-array', Y.Array.from([1, 2]))
      junk.set('junk-null', null)
    }
  })
  // an assessment whose fields are of the wrong type, a copy of one under another id, and links to what is no assessment.
  const wrong = mutations.addAssessment(doc, { title: 'Wrong types' })
  const wrongCard = requireEntity(doc, 'assessments', wrong)
  wrongCard.set('title', 7)
  wrongCard.set('order', { not: 'a key' })
  const copy = requireEntity(doc, 'assessments', second!).clone()
  collection(doc, 'assessments').set('another-id', copy)
  const dangling = ['nowhere', 'junk-number'].map((assessmentId) => {
    const map = requireEntity(doc, 'links', link).clone()
    map.set('id', `to-${assessmentId}`)
    map.set('assessmentId', assessmentId)
    collection(doc, 'links').set(`to-${assessmentId}`, map)
    return `to-${assessmentId}`
  })

  const model = boardToModel(doc, 'board')
  expect(model).toEqual(real)
  for (const id of ['junk-number', 'junk-text', 'junk-array', 'junk-null', wrong, 'another-id', ...dangling]) {
    expect(entityInModel(doc, 'assessments', id)).toBeNull()
    expect(entityInModel(doc, 'links', id)).toBeNull()
  }
  expectEachEntityAsPlaced(doc, model)

  // The mutations read past them too, and restoring the board's content takes them away.
  expect(mutations.findSourceByName(doc, 'nato')).toBe(nato)
  mutations.moveAssessment(doc, second!, null)
  expect(mutations.orderedAssessments(doc).map((card) => card.get('id'))).toContain(second)
  expect(() => mutations.deleteAssessment(doc, 'junk-number')).toThrow(/No assessment with id junk-number/)
  mutations.deleteSource(doc, nato)
  expect(boardToModel(doc, 'board')).toMatchObject({ sources: [], claims: [], links: [] })
  replaceBoardContent(doc, real)
  expect(boardToModel(doc, 'board')).toEqual(real)
  for (const name of COLLECTIONS) expect([...collection(doc, name).keys()].sort()).toEqual(real[name].map((item) => item.id).sort())
  doc.destroy()
})

it('reads an assessment’s title or judgment stored as something other than a shared text as its string, or empty', () => {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Stored before' })
  const stored: [string, unknown][] = [
    ['title', 'A plain title'],
    ['judgment', 42],
    ['judgment', new Y.Map()],
    ['title', null],
  ]
  const ids = stored.map(([field, value]) => {
    const id = mutations.addAssessment(doc, { title: 'Title', judgment: 'Judgment' })
    requireEntity(doc, 'assessments', id).set(field, value)
    return id
  })
  const model = boardToModel(doc, 'board')
  expect(model.assessments.map(({ id, title, judgment }) => ({ id, title, judgment }))).toEqual([
    { id: ids[0], title: 'A plain title', judgment: 'Judgment' },
    { id: ids[1], title: 'Title', judgment: '' },
    { id: ids[2], title: 'Title', judgment: '' },
    { id: ids[3], title: '', judgment: 'Judgment' },
  ])
  expectEachEntityAsPlaced(doc, model)
  doc.destroy()
})
