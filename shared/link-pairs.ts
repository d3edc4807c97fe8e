/**
 * One rating per pair: a claim is rated once against an assessment. The
 * mutations refuse a second link of a pair they can see, but two editors
 * offline (or a client written past the mutations) can each add one, and Yjs
 * keeps both. Every reader of the board (the model, and the browser's store)
 * keeps the same one of them, the earliest made (then the lowest id), so that
 * every replica reads the same board, and sets the others aside: they stay in
 * the document, the checks name them, and an editor keeps one rating.
 */
import type { LinkModel } from './board-model.ts'
import { byCreation } from './entity-order.ts'

export type LinkPairs<L extends LinkModel = LinkModel> = {
  /** One link per pair, in the order given. */
  links: L[]
  /** The links of a pair that already has an earlier one, in the order given. */
  setAside: L[]
}

/** The key of a link's pair: the same for every link of one claim and one assessment. */
export const pairKey = (link: Pick<LinkModel, 'assessmentId' | 'claimId'>): string => `${link.assessmentId}\n${link.claimId}`

/** The links with one per pair kept, the earliest made, then the lowest id: the others set aside. */
export function onePerPair<L extends LinkModel>(links: readonly L[]): LinkPairs<L> {
  const kept = new Map<string, L>()
  for (const link of links) {
    const key = pairKey(link)
    const held = kept.get(key)
    if (!held || byCreation(link, held) < 0) kept.set(key, link)
  }
  if (kept.size === links.length) return { links: [...links], setAside: [] }
  const keptLinks = new Set(kept.values())
  return { links: links.filter((l) => keptLinks.has(l)), setAside: links.filter((l) => !keptLinks.has(l)) }
}

/**
 * Which rating of a pair counts and which are set aside, as the two-ratings
 * finding and the inspector both say it. It says nothing of when they were
 * made: a link's creation time is its writer's word (a back-dated one included).
 */
export function countedAndSetAside(counted: Pick<LinkModel, 'rating'>, setAside: readonly Pick<LinkModel, 'rating'>[]): string {
  const others = setAside.map((l) => l.rating).join(', ')
  return `${counted.rating} counts; ${others}, another rating of the same pair, ${setAside.length === 1 ? 'is' : 'are'} set aside and counted nowhere`
}
