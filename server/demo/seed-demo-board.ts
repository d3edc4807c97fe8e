/**
 * The demo board a new install opens to: the sample article imported as
 * claims, its sources graded, and a few assessments linked to what supports or
 * contradicts them, so a first-time user sees what a board is for.
 */
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'
import { entities, readString } from '../../shared/board-doc.ts'
import { addAssessment, addLink, updateClaim, updateMeta, updateSource, type MutationContext } from '../../shared/board-mutations.ts'
import { serverOrigin } from '../../shared/change-origin.ts'
import type { AchRating, ClaimCredibility, SourceReliability } from '../../shared/domain.ts'
import { applyImport } from '../../shared/import/apply-import.ts'
import { parseSourceText } from '../../shared/import/parse-source.ts'
import type { Principal } from '../access/access.ts'
import { createFirstBoard, type BoardMaking } from '../boards/create-board.ts'
import { projectPath } from '../project-root.ts'

export const DEMO_TITLE = 'Wagner mutiny — Vilnius'
const ARTICLE = projectPath('server', 'demo', 'wagner-vilnius-article.txt')

/** How the demo team graded the article's sources, and what kind of source each is. */
const SOURCES: Record<string, { kind: string; reliability?: SourceReliability }> = {
  NATO: { kind: 'official statement', reliability: 'B' },
  'Western intelligence': { kind: 'intelligence reporting', reliability: 'C' },
  'Defence analysts': { kind: 'expert analysis', reliability: 'C' },
  'Allied statements': { kind: 'official statement', reliability: 'B' },
  'international observers': { kind: 'observer reporting' },
  'international security briefings': { kind: 'security briefing' },
  'regional briefings': { kind: 'security briefing' },
}

type DemoAssessment = {
  title: string
  judgment: string
  kind: 'key-judgment' | 'assessment' | 'hypothesis'
  likelihood: 1 | 2 | 3 | 4 | 5 | 6 | 7
  confidence: 'low' | 'moderate' | 'high'
  impact: 'minimal' | 'minor' | 'moderate' | 'major' | 'severe'
  /** Claims are found by a phrase they contain. */
  links: { phrase: string; rating: AchRating; credibility?: ClaimCredibility }[]
}

const ASSESSMENTS: DemoAssessment[] = [
  {
    title: 'Russia will not employ nuclear weapons in the coming weeks',
    judgment: 'Despite the turmoil after the Wagner mutiny, Moscow shows no preparation for nuclear use.',
    kind: 'key-judgment',
    likelihood: 6,
    confidence: 'moderate',
    impact: 'severe',
    links: [
      { phrase: 'no immediate signs of Russia preparing', rating: 'CC', credibility: 2 },
      { phrase: 'political stability in nuclear-armed states', rating: 'N' },
    ],
  },
  {
    title: 'Wagner forces relocating to Belarus raise the threat to Lithuania',
    judgment: 'A Wagner presence in Belarus would put a capable, loosely controlled force on the Lithuanian border.',
    kind: 'key-judgment',
    likelihood: 4,
    confidence: 'low',
    impact: 'major',
    links: [
      { phrase: 'might relocate to Belarus', rating: 'C', credibility: 3 },
      { phrase: 'revisit threat assessments', rating: 'C', credibility: 3 },
    ],
  },
  {
    title: 'The Vilnius summit agrees a broader support package for Ukraine',
    judgment: 'Allies signal a package of defence aid, training and interoperability measures.',
    kind: 'assessment',
    likelihood: 5,
    confidence: 'moderate',
    impact: 'moderate',
    links: [
      { phrase: 'robust backing package for Ukraine', rating: 'CC', credibility: 2 },
      { phrase: 'exact timing of broader integration', rating: 'I' },
    ],
  },
  {
    title: 'The mutiny weakens Kremlin control over the armed forces',
    judgment: '',
    kind: 'hypothesis',
    likelihood: 3,
    confidence: 'low',
    impact: 'major',
    links: [{ phrase: 'fragility of the Kremlin', rating: 'C' }],
  },
  {
    title: 'The Kremlin keeps control over the armed forces after the mutiny',
    judgment: '',
    kind: 'hypothesis',
    likelihood: 5,
    confidence: 'low',
    impact: 'moderate',
    links: [{ phrase: 'fragility of the Kremlin', rating: 'I' }],
  },
]

/**
 * Creates the demo board when the database has no board at all; returns its id, or null when there was one. Of
 * instances started together on a new database, one makes it (createFirstBoard).
 */
export async function seedDemoBoardIfNone(services: BoardMaking, creator: Principal): Promise<string | null> {
  const id = await createFirstBoard(services, DEMO_INIT, creator)
  if (id !== null) await fillDemoRoom(services, id, creator)
  return id
}

const DEMO_INIT = { title: DEMO_TITLE, marking: 'TLP:AMBER', question: 'How does the Wagner mutiny change the threat to NATO’s eastern flank?' }

async function fillDemoRoom(services: BoardMaking, id: string, creator: Principal): Promise<void> {
  const ctx: MutationContext = { by: creator.name, origin: serverOrigin('demo') }
  await services.rooms.withRoom(id, (room) => room.change((doc) => fillDemoBoard(doc, ctx)))
}

function fillDemoBoard(doc: Y.Doc, ctx: MutationContext): void {
  doc.transact(() => {
    const imported = applyImport(doc, parseSourceText(readFileSync(ARTICLE, 'utf8')), ctx)
    updateMeta(doc, { profile: 'icd203' }, ctx)
    for (const [sourceId, source] of entities(doc, 'sources')) {
      const grading = SOURCES[readString(source, 'name')]
      if (grading) updateSource(doc, sourceId, grading, ctx)
    }
    const claims = Array.from(entities(doc, 'claims'), ([, claim]) => claim).filter((claim) => imported.createdClaimIds.includes(readString(claim, 'id')))
    for (const demo of ASSESSMENTS) {
      const { links, ...fields } = demo
      const assessmentId = addAssessment(doc, { ...fields, status: 'draft' }, ctx)
      for (const link of links) {
        const claim = claims.find((c) => readString(c, 'text').includes(link.phrase))
        if (!claim) throw new Error(`demo board: no claim contains "${link.phrase}"`)
        const claimId = readString(claim, 'id')
        if (link.credibility) updateClaim(doc, claimId, { credibility: link.credibility }, ctx)
        addLink(doc, { assessmentId, claimId, rating: link.rating }, ctx)
      }
    }
  }, ctx.origin)
}
