/** One link per claim and assessment, the same one whatever order a replica holds the links in. */
import { expect, it } from 'vitest'
import type { LinkModel } from './board-model.ts'
import { onePerPair } from './link-pairs.ts'

const link = (id: string, claimId: string, rating: LinkModel['rating'], createdAt: string): LinkModel => ({ id, assessmentId: 'h1', claimId, rating, createdAt })

it('keeps the earliest link of a pair, then the lowest id, in any order given, and sets the others aside', () => {
  const links = [
    link('b', 'c1', 'II', '2026-12-06T10:00:00.000Z'),
    link('a', 'c1', 'CC', '2026-12-06T10:00:00.000Z'),
    link('z', 'c1', 'N', '2026-12-06T09:00:00.000Z'),
    link('y', 'c2', 'C', '2026-12-06T11:00:00.000Z'),
  ]
  for (const order of [links, [...links].reverse(), [links[1]!, links[3]!, links[0]!, links[2]!]]) {
    const pairs = onePerPair(order)
    expect(pairs.links.map((l) => l.id).sort()).toEqual(['y', 'z'])
    expect(pairs.setAside.map((l) => l.id).sort()).toEqual(['a', 'b'])
    // The order given is kept in both lists.
    expect(pairs.links).toEqual(order.filter((l) => pairs.links.includes(l)))
  }
  expect(onePerPair([links[3]!])).toEqual({ links: [links[3]], setAside: [] })
})
