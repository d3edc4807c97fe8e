import { describe, expect, it } from 'vitest'
import { diffBoards } from '../../../shared/board-diff.ts'
import type { AssessmentModel, BoardModel } from '../../../shared/board-model.ts'
import { notStored, unsavedTexts } from './unsaved-texts.ts'

const at = '2026-12-07T20:10:00.000Z'
const card = (id: string, title: string, judgment: string): AssessmentModel => ({
  id, title, judgment, kind: 'assessment', likelihood: null, confidence: null, impact: null, status: 'draft', tags: [], order: id, createdAt: at,
})
const stored: BoardModel = {
  id: 'b1', title: 'Board', marking: 'TLP:AMBER', question: '', profile: 'icd203', schemaVersion: 1,
  sources: [{ id: 's1', name: 'NATO', kind: '', reliability: 'B', createdAt: at }],
  documents: [],
  claims: [{ id: 'c1', text: 'Troops massed.', sourceId: 's1', credibility: 2, status: 'active', createdAt: at }],
  assessments: [card('a1', 'H1', 'Units stay.')],
  links: [{ id: 'l1', assessmentId: 'a1', claimId: 'c1', rating: 'C', createdAt: at }],
}

describe('the texts a page held that the stored board does not', () => {
  it('names each changed or added text by its field’s label and its item, and leaves out what is not prose', () => {
    const local: BoardModel = { ...stored, assessments: [{ ...card('a1', 'H1', 'Units stay. Typed.'), likelihood: 4 }, card('a2', 'New card', '')] }
    expect(unsavedTexts(diffBoards(stored, local, false), local)).toEqual([
      { where: 'Judgment of “H1”', text: 'Typed.' },
      { where: 'Title of a new item (“New card”)', text: 'New card' },
    ])
  })

  it("lists every field a person types: a source's kind and URL, a link's note, not only prose", () => {
    const local: BoardModel = {
      ...stored,
      marking: 'TLP:RED',
      sources: [{ ...stored.sources[0]!, kind: 'Alliance statement', url: 'https://example.org/x', reliability: 'A' }],
      links: [{ ...stored.links[0]!, note: 'Only in part.', rating: 'CC' }],
    }
    expect(unsavedTexts(diffBoards(stored, local, false), local)).toEqual([
      { where: 'Marking of the board', text: 'TLP:RED' },
      { where: 'Kind of “NATO”', text: 'Alliance statement' },
      { where: 'URL of “NATO”', text: 'https://example.org/x' },
      { where: 'Note of the link of “Troops massed.” to “H1”', text: 'Only in part.' },
    ])
  })

  it('lists of a changed text only the words the stored one lacks, whole, and nothing for a change that only deleted', () => {
    expect(notStored('No immediate signs. BEFORE words.', 'No immediate signs. BEFORE words. AFTER words typed on.')).toBe('AFTER words typed on.')
    expect(notStored('Units stay.', 'Units stays, mostly.')).toBe('stays, mostly.')
    expect(notStored('Units stay in place.', 'Units in place.')).toBe('')
    expect(notStored('Units stay.', 'Units stay. ')).toBe('')
    expect(notStored('', 'All new.')).toBe('All new.')
  })
})
