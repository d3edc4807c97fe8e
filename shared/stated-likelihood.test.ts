import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { checkBoard } from './analysis-checks.ts'
import { boardToModel, readAssessments } from './board-convert.ts'
import { initBoardDoc } from './board-doc.ts'
import { addAssessment, updateAssessment } from './board-mutations.ts'
import { changeBoardSettings } from './board-settings-change.ts'
import { bandNeedingRestatement, confirmedBand, statedProfile } from './stated-likelihood.ts'
import { restatedLikelihoods } from './yardstick-change.ts'

function board(profile: 'icd203' | 'icd203-alt' | 'phia' = 'icd203') {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Test', profile })
  return doc
}

/** Applies every update of `from` that `to` lacks: the two pages meet. */
function sync(from: Y.Doc, to: Y.Doc) {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

describe('the yardstick a likelihood was stated under', () => {
  it('reads a band without a record (an old board) as stated under the board’s yardstick', () => {
    expect(bandNeedingRestatement({ likelihood: 4 }, 'phia')).toBeNull()
    expect(confirmedBand({ likelihood: 4 }, 'phia')).toBe(4)
    expect(statedProfile({ likelihood: 4 }, 'icd203-alt')).toBe('icd203-alt')
  })

  it('flags a band stated under the other yardstick, in its author’s words, and not one under another wording row', () => {
    expect(bandNeedingRestatement({ likelihood: 4, likelihoodYardstick: 'icd203' }, 'phia')).toBe(4)
    expect(confirmedBand({ likelihood: 4, likelihoodYardstick: 'icd203' }, 'phia')).toBeNull()
    expect(statedProfile({ likelihood: 4, likelihoodYardstick: 'icd203' }, 'phia')).toBe('icd203')
    expect(bandNeedingRestatement({ likelihood: 4, likelihoodYardstick: 'icd203' }, 'icd203-alt')).toBeNull()
    expect(bandNeedingRestatement({ likelihood: null, likelihoodYardstick: 'icd203' }, 'phia')).toBeNull()
  })

  it('is written with the band, and removed with it', () => {
    const doc = board('phia')
    const id = addAssessment(doc, { title: 'A', likelihood: 2 })
    expect(readAssessments(doc)[0]!.likelihoodYardstick).toBe('phia')
    updateAssessment(doc, id, { likelihood: null })
    expect(readAssessments(doc)[0]!.likelihoodYardstick).toBeUndefined()
  })

  it('leaves a band set offline before a confirmed change flagged, restating only what the change confirmed, until its editor sets it again', () => {
    const server = board()
    const held = addAssessment(server, { title: 'Held', likelihood: 3 })
    const offline = addAssessment(server, { title: 'Offline', likelihood: null })
    const analyst = new Y.Doc()
    sync(server, analyst)

    updateAssessment(analyst, offline, { likelihood: 4 })
    const restated = changeBoardSettings(server, { profile: 'phia', restateLikelihoods: true }).restated
    expect(restated.map((r) => r.id)).toEqual([held])
    sync(analyst, server)
    sync(server, analyst)

    const model = boardToModel(server, 'board')
    expect(model.assessments.map((a) => [a.title, a.likelihood, a.likelihoodYardstick])).toEqual([
      ['Held', 3, 'phia'],
      ['Offline', 4, 'icd203'],
    ])
    expect(checkBoard(model).filter((f) => f.rule === 'likelihood-needs-restatement').map((f) => [f.subject, f.message])).toEqual([
      [
        { kind: 'assessment', id: offline },
        'The likelihood stated under ICD 203 (wording row A) as roughly even chance, 45–55%; needs restating under PHIA probability yardstick.',
      ],
    ])
    // Going back to the yardstick it was stated under restates only the band confirmed under PHIA.
    expect(restatedLikelihoods(model.assessments, 'phia', 'icd203').map((r) => r.id)).toEqual([held])

    updateAssessment(analyst, offline, { likelihood: 4 })
    sync(analyst, server)
    expect(bandNeedingRestatement(readAssessments(server).find((a) => a.id === offline)!, 'phia')).toBeNull()
  })

  it('keeps band and yardstick a pair when a confirmed change and an offline edit write the same card at once', () => {
    for (let round = 0; round < 20; round++) {
      const server = board()
      const card = addAssessment(server, { title: 'Both', likelihood: 2 })
      const analyst = new Y.Doc()
      sync(server, analyst)
      updateAssessment(analyst, card, { likelihood: 5 })
      changeBoardSettings(server, { profile: 'phia', restateLikelihoods: true })
      sync(analyst, server)
      sync(server, analyst)
      const [a] = readAssessments(server)
      // Either the confirmed band 2 under PHIA, or the analyst's band 5 under ICD 203 (flagged): never 5 read as PHIA's.
      expect([a!.likelihood, a!.likelihoodYardstick]).toEqual(a!.likelihood === 2 ? [2, 'phia'] : [5, 'icd203'])
      expect(readAssessments(analyst)).toEqual(readAssessments(server))
    }
  })
})
