/**
 * A small board with every kind of entity and fixed ids and times, so that its
 * content hash is one known value on every dialect and after every restart.
 */
import type { BoardModel } from '../../shared/board-model.ts'

export const FIXTURE_BOARD_ID = 'fixture-board-hash'

export const FIXTURE_DOCUMENT_TEXT = 'Wagner units were seen near Vilnius. [citation: NATO]'

export const FIXTURE_MODEL: BoardModel = {
  id: FIXTURE_BOARD_ID,
  title: 'Wagner redeployment — fixture',
  marking: 'TLP:AMBER',
  question: 'Will Wagner forces redeploy to Belarus before winter?',
  profile: 'icd203',
  schemaVersion: 1,
  sources: [
    { id: 'src-nato', name: 'NATO', kind: 'official', reliability: 'B', url: 'https://example.org/nato', createdAt: '2026-01-02T08:00:00.000Z' },
  ],
  documents: [{ id: 'doc-1', title: 'Wire report', importedAt: '2026-01-02T08:05:00.000Z', importedBy: 'Edgar Editor' }],
  claims: [
    {
      id: 'claim-1',
      text: 'Wagner units were seen near Vilnius.',
      sourceId: 'src-nato',
      credibility: 2,
      status: 'active',
      documentId: 'doc-1',
      paragraph: 0,
      start: 0,
      end: 36,
      createdAt: '2026-01-02T08:05:00.000Z',
      createdBy: 'Edgar Editor',
    },
  ],
  assessments: [
    {
      id: 'assess-1',
      title: 'Wagner will redeploy',
      judgment: 'Forces are likely to move within weeks — «ünïcødé» too.',
      kind: 'key-judgment',
      likelihood: 5,
      confidence: 'moderate',
      impact: 'major',
      status: 'draft',
      tags: ['wagner', 'belarus'],
      order: 'a0',
      createdAt: '2026-01-02T08:10:00.000Z',
      createdBy: 'Edgar Editor',
    },
    {
      id: 'assess-2',
      title: 'Wagner will stay',
      judgment: '',
      kind: 'hypothesis',
      likelihood: null,
      confidence: null,
      impact: null,
      status: 'in-review',
      tags: [],
      order: 'a1',
      createdAt: '2026-01-02T08:11:00.000Z',
    },
  ],
  links: [{ id: 'link-1', assessmentId: 'assess-1', claimId: 'claim-1', rating: 'C', note: 'Seen, not confirmed', createdAt: '2026-01-02T08:12:00.000Z' }],
}
