import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../../../shared/board-convert.ts'
import { assessmentText, initBoardDoc } from '../../../shared/board-doc.ts'
import { addAssessment, addClaim, addLink, addSource, deleteAssessment, restoreAssessment, type KeptAssessment } from '../../../shared/board-mutations.ts'
import { EditedCards, RECENT_MS } from './edited-cards.ts'

/** Two copies of one board, exchanging updates as the relay would. */
function twoCopies() {
  const mine = new Y.Doc()
  initBoardDoc(mine, { title: 'Kept' })
  const source = addSource(mine, { name: 'NATO', reliability: 'B' })
  const claim = addClaim(mine, { text: 'Columns near Minsk.', sourceId: source, credibility: 2 })
  const first = addAssessment(mine, { title: 'First' })
  const card = addAssessment(mine, { title: 'Doomed' })
  addLink(mine, { assessmentId: card, claimId: claim, rating: 'C' })
  const theirs = new Y.Doc()
  Y.applyUpdate(theirs, Y.encodeStateAsUpdate(mine))
  const send = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
  return { mine, theirs, claim, first, card, send }
}

describe('EditedCards', () => {
  const docs: Y.Doc[] = []
  afterEach(() => {
    for (const doc of docs.splice(0)) doc.destroy()
  })

  it('hands over the text typed into a card someone else deletes, and nothing for a card left alone', () => {
    const { mine, theirs, claim, first, card, send } = twoCopies()
    docs.push(mine, theirs)
    const deleted: KeptAssessment[] = []
    const cards = new EditedCards(mine, { unsaved: () => false, deleted: (kept) => deleted.push(kept), now: () => 0 })
    assessmentText(mine, card, 'judgment').insert(0, 'Typed offline by Bo.')
    deleteAssessment(theirs, card)
    deleteAssessment(theirs, first)
    send(theirs, mine)
    expect(deleted.map((kept) => [kept.card.title, kept.card.judgment, kept.links])).toEqual([['Doomed', 'Typed offline by Bo.', [{ claimId: claim, rating: 'C' }]]])

    // Restored as a new card, after the card it followed (gone: first), with its link.
    restoreAssessment(mine, deleted[0]!)
    const model = boardToModel(mine, 'b')
    expect(model.assessments.map((a) => [a.title, a.judgment])).toEqual([['Doomed', 'Typed offline by Bo.']])
    expect(model.links.map((l) => [l.assessmentId, l.claimId, l.rating])).toEqual([[model.assessments[0]!.id, claim, 'C']])
    cards.destroy()
  })

  it('lets go of a card changed long ago once everything is saved, and keeps the one whose field has the focus', () => {
    const { mine, theirs, first, card, send } = twoCopies()
    docs.push(mine, theirs)
    let now = 0
    let unsaved = true
    const deleted: string[] = []
    const cards = new EditedCards(mine, { unsaved: () => unsaved, deleted: (kept) => deleted.push(kept.card.title), now: () => now })
    assessmentText(mine, card, 'judgment').insert(0, 'Long ago.')
    cards.focus(first)
    now = RECENT_MS + 1
    unsaved = false
    deleteAssessment(theirs, card)
    deleteAssessment(theirs, first)
    send(theirs, mine)
    expect(deleted).toEqual(['First'])
    // This person's own deletion is no news to them.
    const other = addAssessment(mine, { title: 'Mine to delete' })
    cards.focus(other)
    deleteAssessment(mine, other)
    expect(deleted).toEqual(['First'])
    cards.destroy()
  })
})
