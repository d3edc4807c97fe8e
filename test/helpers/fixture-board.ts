/**
 * A small, realistic board for the export tests, made the way users make one:
 * through the board mutations on a Y.Doc, then `boardToModel`. Its claims hold
 * what briefings get wrong: Cyrillic, accents, curly quotes, markup that must
 * stay text, and a retracted claim.
 */
import * as Y from 'yjs'
import { initBoardDoc } from '../../shared/board-doc.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import {
  addAssessment,
  addClaim,
  addLink,
  addSource,
  updateAssessment,
  updateClaim,
  type MutationContext,
} from '../../shared/board-mutations.ts'
import type { Briefing } from '../../server/export/briefing-model.ts'
import type { BriefingVersion } from '../../server/export/briefing-version.ts'

export const XSS_CLAIM = 'A forum post showed <img src=x onerror=alert(1)> as proof of a convoy near Grodno.'
export const CYRILLIC_CLAIM = 'Канал «Пригожин» утверждал, что колонна остановилась в 200 км от Москвы.'
export const ACCENTED_CLAIM = 'Café owners in Užupis said the “march for justice” rattled Vilnius’ residents.'

export type FixtureBoards = { previous: BoardModel; board: BoardModel }

/** The board as a snapshot "v1" saw it, and as it is now. */
export function fixtureBoards(): FixtureBoards {
  const doc = new Y.Doc()
  const at = (iso: string): MutationContext => ({ by: 'analyst@example.org', now: new Date(iso) })
  const day1 = at('2026-11-27T09:00:00.000Z')
  const day2 = at('2026-11-28T14:00:00.000Z')

  initBoardDoc(doc, {
    title: 'Wagner’s mutiny and NATO’s eastern flank',
    marking: 'TLP:AMBER',
    question: 'Will the Wagner Group’s move to Belarus raise the military threat to Lithuania within six months?',
  })

  const nato = addSource(doc, { name: 'NATO', kind: 'official statement', reliability: 'B', url: 'https://www.nato.int/' }, day1)
  const intel = addSource(doc, { name: 'Western intelligence', kind: 'intelligence reporting', reliability: 'C' }, day1)
  const channel = addSource(doc, { name: 'Telegram «Пригожин»', kind: 'social media', reliability: 'E' }, day1)
  const forum = addSource(doc, { name: 'Open forum', kind: 'social media', reliability: 'F' }, day1)

  const noNuclear = addClaim(
    doc,
    { text: 'There were no immediate signs of Russia preparing to employ nuclear weapons.', sourceId: nato, credibility: 2 },
    day1,
  )
  const belarus = addClaim(
    doc,
    { text: 'Reports say Prigozhin’s faction might relocate to Belarus.', sourceId: intel, credibility: 3 },
    day1,
  )
  const convoy = addClaim(doc, { text: CYRILLIC_CLAIM, sourceId: channel, credibility: 5 }, day1)
  const xss = addClaim(doc, { text: XSS_CLAIM, sourceId: forum, credibility: 6 }, day1)
  const residents = addClaim(doc, { text: ACCENTED_CLAIM, sourceId: intel, credibility: 4 }, day1)
  const support = addClaim(
    doc,
    { text: 'The alliance will coordinate a robust backing package for Ukraine in Vilnius.', sourceId: nato, credibility: 1 },
    day1,
  )

  const relocation = addAssessment(
    doc,
    {
      title: 'Wagner forces relocate to Belarus',
      judgment: 'A large part of the Wagner Group moves to Belarus within three months.\nTheir presence near the Suwałki gap is a standing risk.',
      kind: 'key-judgment',
      likelihood: 3,
      confidence: 'low',
      impact: 'major',
      status: 'in-review',
      tags: ['wagner', 'belarus'],
    },
    day1,
  )
  const nuclear = addAssessment(
    doc,
    {
      title: 'No nuclear escalation',
      judgment: 'Russia will not employ nuclear weapons in the coming six months.',
      kind: 'key-judgment',
      likelihood: 6,
      confidence: 'moderate',
      impact: 'severe',
      status: 'final',
    },
    day1,
  )
  const cohesion = addAssessment(
    doc,
    { title: 'Allied support for Kyiv holds', judgment: 'The Vilnius summit keeps the support package intact.', likelihood: 5, impact: 'moderate' },
    day1,
  )
  addLink(doc, { assessmentId: relocation, claimId: belarus, rating: 'C', note: 'Single-source reporting.' }, day1)
  addLink(doc, { assessmentId: relocation, claimId: convoy, rating: 'CC' }, day1)
  addLink(doc, { assessmentId: relocation, claimId: xss, rating: 'I' }, day1)
  addLink(doc, { assessmentId: relocation, claimId: residents, rating: 'N' }, day1)
  addLink(doc, { assessmentId: nuclear, claimId: noNuclear, rating: 'CC' }, day1)
  addLink(doc, { assessmentId: nuclear, claimId: convoy, rating: 'II' }, day1)
  addLink(doc, { assessmentId: cohesion, claimId: support, rating: 'C' }, day1)

  const previous = boardToModel(doc, 'board-wagner')

  updateAssessment(doc, relocation, { likelihood: 5, confidence: 'moderate', judgment: 'Most of the Wagner Group moves to Belarus within three months.\nTheir presence near the Suwałki gap is a standing risk.' }, day2)
  updateClaim(doc, convoy, { status: 'retracted' }, day2)
  const insurrection = addAssessment(
    doc,
    {
      title: 'Renewed mutiny in Russia',
      judgment: 'Another armed revolt against the Kremlin within a year.',
      kind: 'hypothesis',
      impact: 'severe',
    },
    day2,
  )
  addLink(doc, { assessmentId: insurrection, claimId: residents, rating: 'C' }, day2)

  return { previous, board: boardToModel(doc, 'board-wagner') }
}

export const FIXTURE_SNAPSHOT_TIME = '2026-11-28T15:30:00.000Z'
/** When the fixture's first snapshot, v1, was taken. */
export const FIXTURE_PREVIOUS_TIME = '2026-11-27T09:00:00.000Z'

export function fixtureSnapshot(previous: BoardModel): BriefingVersion {
  return {
    kind: 'snapshot',
    id: 'snapshot-v2',
    label: 'v2 — after the Vilnius summit',
    hash: 'sha256:3f1c0e5b9a7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e',
    createdAt: FIXTURE_SNAPSHOT_TIME,
    previous: { model: previous, label: 'v1', createdAt: FIXTURE_PREVIOUS_TIME },
  }
}

/** The lines of a briefing's BLUF as every format prints them. */
export function blufLines(briefing: Briefing): string[] {
  const { bluf } = briefing
  return bluf.kind === 'written' ? bluf.paragraphs : bluf.kind === 'none' ? [bluf.text] : bluf.items
}

/** The text a reader sees in a WordprocessingML part: runs joined, paragraphs on their own lines. */
export function wordText(xml: string): string {
  return xml
    .split('</w:p>')
    .map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''))
    .join('\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}
