/**
 * One entity read alone (entityInModel) against the whole board's model
 * (boardToModel), on a board broken in every way the model guards against:
 * an entity that is not valid, a claim whose source is gone, a quote whose
 * document is gone, links to what the model leaves out. The seeded
 * convergence fuzz checks the same on boards of concurrent changes.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel, entityInModel } from './board-convert.ts'
import { collection, initBoardDoc } from './board-doc.ts'
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
  // What only a hostile or broken client writes: deletions without their cascades, a field out of its range.
  collection(doc, 'sources').delete(gone!)
  collection(doc, 'documents').delete(report)
  collection(doc, 'assessments').get(broken)!.set('likelihood', 99)

  const model = boardToModel(doc, 'board')
  expect(entityInModel(doc, 'claims', orphan)).toBeNull()
  expect(entityInModel(doc, 'assessments', broken)).toBeNull()
  expect(entityInModel(doc, 'claims', kept)).toMatchObject({ id: kept, text: 'Convoys were seen.' })
  expect(entityInModel(doc, 'claims', kept)).not.toHaveProperty('documentId')
  expect(links.map((id) => entityInModel(doc, 'links', id) !== null)).toEqual([true, false, false])
  expect(entityInModel(doc, 'sources', 'nothing')).toBeNull()
  expectEachEntityAsPlaced(doc, model)
  doc.destroy()
})
