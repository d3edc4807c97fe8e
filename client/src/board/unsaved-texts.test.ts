import { describe, expect, it } from 'vitest'
import { diffBoards } from '../../../shared/board-diff.ts'
import type { AssessmentModel, BoardModel } from '../../../shared/board-model.ts'
import { unsavedTexts } from './unsaved-texts.ts'

const at = '2026-12-07T20:10:00.000Z'
const card = (id: string, title: string, judgment: string): AssessmentModel => ({
  id, title, judgment, kind: 'assessment', likelihood: null, confidence: null, impact: null, status: 'draft', tags: [], order: id, createdAt: at,
})
const stored: BoardModel = {
  id: 'b1', title: 'Board', marking: 'TLP:AMBER', question: '', profile: 'icd203', schemaVersion: 1,
  sources: [], documents: [], claims: [], assessments: [card('a1', 'H1', 'Units stay.')], links: [],
}

describe('the texts a page held that the stored board does not', () => {
  it('names each changed or added text by its field and item, and leaves out what is not prose', () => {
    const local: BoardModel = { ...stored, assessments: [{ ...card('a1', 'H1', 'Units stay. Typed.'), likelihood: 4 }, card('a2', 'New card', '')] }
    expect(unsavedTexts(diffBoards(stored, local, false))).toEqual([
      { where: 'judgment of “H1”', text: 'Units stay. Typed.' },
      { where: 'title of a new item (“New card”)', text: 'New card' },
    ])
  })
})
