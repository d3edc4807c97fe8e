/**
 * The briefing's "what changed" for a likelihood stated under another
 * yardstick than the board's (shared/stated-likelihood.ts). It gave such a
 * band in the board's words ("roughly even chance (45–55%) to likely/probably
 * (55–75%)", words nobody stated), and a restatement as the record's raw key
 * ("likelihoodYardstick from icd203 to phia"). Each side now reads in the
 * words it was stated in, flagged where it needs restating, and a restatement
 * says so on the likelihood's line.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { entity } from '../../shared/board-doc.ts'
import { addAssessment, updateAssessment, updateMeta } from '../../shared/board-mutations.ts'
import { describeChanges } from '../../server/export/briefing-changes.ts'

const TITLE = 'Assessment “\u2068Talks resume\u2069”'

describe('what changed, for a likelihood needing restatement', () => {
  it('gives each side in its stated words, flags the one needing restating, and names a restatement', () => {
    const doc = new Y.Doc()
    updateMeta(doc, { profile: 'icd203' })
    const id = addAssessment(doc, { title: 'Talks resume', judgment: '', likelihood: 4 })
    const first = boardToModel(doc, 'board')

    // The board moves to PHIA; a band set where that was not yet seen lands with ICD 203.
    updateMeta(doc, { profile: 'phia' })
    doc.transact(() => {
      const card = entity(doc, 'assessments', id)!
      card.set('likelihood', 5)
      card.set('likelihoodYardstick', 'icd203')
    })
    const flagged = boardToModel(doc, 'board')
    expect(describeChanges(first, flagged)).toEqual([
      'Board likelihood wording from ICD 203 (wording row A) to PHIA probability yardstick.',
      `${TITLE}: likelihood from roughly even chance (45–55%) to likely (55–80%) under ICD 203 (wording row A) (needs restating).`,
    ])

    updateAssessment(doc, id, { likelihood: 5 })
    const changes = describeChanges(flagged, boardToModel(doc, 'board'))
    expect(changes).toEqual([
      `${TITLE}: likelihood restated under PHIA probability yardstick: from likely (55–80%) under ICD 203 (wording row A) (needs restating) to likely/probably (55–75%).`,
    ])
    expect(changes.join('\n')).not.toContain('likelihoodYardstick')
    doc.destroy()
  })

  it('says nothing of a record added to a band read under the board’s yardstick all along', () => {
    const doc = new Y.Doc()
    updateMeta(doc, { profile: 'phia' })
    const id = addAssessment(doc, { title: 'Talks resume', judgment: '', likelihood: 2 })
    entity(doc, 'assessments', id)!.delete('likelihoodYardstick')
    const unrecorded = boardToModel(doc, 'board')
    updateAssessment(doc, id, { likelihood: 2 })
    expect(describeChanges(unrecorded, boardToModel(doc, 'board'))).toEqual([])
    doc.destroy()
  })
})
