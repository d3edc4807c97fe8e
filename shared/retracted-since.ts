/**
 * What a frozen version relied on that has been retracted since: claims
 * active in the snapshot and retracted on the live board, and the snapshot's
 * assessments they supported. The snapshot page says so when opened ("2
 * judgments relied on a claim retracted since"), and so does a briefing of
 * that snapshot.
 */
import type { BoardModel } from './board-model.ts'
import { isSupporting } from './domain.ts'

export type RetractedSince = {
  /** The claims, as the snapshot holds them. */
  claims: { id: string; text: string }[]
  /** The snapshot's assessments one of them supported, in board order. */
  assessments: { id: string; title: string; claimIds: string[] }[]
}

export function retractedSince(snapshot: BoardModel, live: BoardModel): RetractedSince {
  const retractedNow = new Set(live.claims.filter((c) => c.status === 'retracted').map((c) => c.id))
  const claims = snapshot.claims.filter((c) => c.status === 'active' && retractedNow.has(c.id))
  const ids = new Set(claims.map((c) => c.id))
  const assessments = snapshot.assessments.flatMap((assessment) => {
    const claimIds = snapshot.links.filter((l) => l.assessmentId === assessment.id && isSupporting(l.rating) && ids.has(l.claimId)).map((l) => l.claimId)
    return claimIds.length > 0 ? [{ id: assessment.id, title: assessment.title, claimIds }] : []
  })
  return { claims: claims.map(({ id, text }) => ({ id, text })), assessments }
}

/** "2 judgments relied on a claim retracted since", or null when none did. */
export function retractedSinceStatement(retracted: RetractedSince): string | null {
  const judgments = retracted.assessments.length
  if (judgments === 0) return null
  const claims = new Set(retracted.assessments.flatMap((a) => a.claimIds)).size
  return `${judgments} ${judgments === 1 ? 'judgment' : 'judgments'} relied on ${claims === 1 ? 'a claim' : `${claims} claims`} retracted since.`
}
