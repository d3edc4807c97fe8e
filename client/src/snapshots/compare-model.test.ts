import { describe, expect, it } from 'vitest'
import { diffBoards } from '../../../shared/board-diff.ts'
import type { AssessmentModel, BoardModel } from '../../../shared/board-model.ts'
import { cardChanges, changeCounts, LINKS_FIELD, unionOf } from './compare-model.ts'

const at = '2026-11-28T15:30:00.000Z'

function card(id: string, title: string, order: string): AssessmentModel {
  return { id, title, judgment: '', kind: 'assessment', likelihood: null, confidence: null, impact: null, status: 'draft', tags: [], order, createdAt: at }
}

const older: BoardModel = {
  id: 'b1',
  title: 'Board',
  marking: 'TLP:AMBER',
  question: '',
  profile: 'icd203',
  schemaVersion: 1,
  sources: [{ id: 's1', name: 'NATO', kind: '', reliability: 'B', createdAt: at }],
  documents: [],
  claims: [{ id: 'c1', text: 'Troops massed.', sourceId: 's1', credibility: 2, status: 'active', createdAt: at }],
  assessments: [card('a1', 'Kept', 'a0'), card('a2', 'Dropped', 'a1'), card('a3', 'Renamed', 'a2')],
  links: [],
}

const newer: BoardModel = {
  ...older,
  title: 'Board, revised',
  assessments: [card('a1', 'Kept', 'a0'), card('a3', 'Renamed since', 'a2'), card('a4', 'New', 'a3')],
  links: [{ id: 'l1', assessmentId: 'a1', claimId: 'c1', rating: 'C', createdAt: at }],
}

describe('a comparison on the board', () => {
  const diff = diffBoards(older, newer)

  it("holds the opened version's own values and keeps what only the other has, from either side", () => {
    const fromOlder = unionOf(older, diff)
    expect(fromOlder.title).toBe('Board')
    expect(Object.fromEntries(fromOlder.assessments.map((a) => [a.id, a.title]))).toEqual({ a1: 'Kept', a2: 'Dropped', a3: 'Renamed', a4: 'New' })
    const fromNewer = unionOf(newer, diff)
    expect(fromNewer.title).toBe('Board, revised')
    expect(Object.fromEntries(fromNewer.assessments.map((a) => [a.id, a.title]))).toEqual({ a1: 'Kept', a2: 'Dropped', a3: 'Renamed since', a4: 'New' })
    for (const union of [fromOlder, fromNewer]) expect(union.links.map((l) => l.id)).toEqual(['l1'])
  })

  it('marks each card by its change, a card whose claims changed included', () => {
    expect(Object.fromEntries(cardChanges(diff))).toEqual({
      a1: { change: 'changed', fields: [LINKS_FIELD] },
      a2: { change: 'removed', fields: [] },
      a3: { change: 'changed', fields: ['title'] },
      a4: { change: 'added', fields: [] },
    })
  })

  it('counts the changes of every kind', () => {
    expect(changeCounts(diff)).toEqual({ added: 2, removed: 1, changed: 2 })
  })
})
