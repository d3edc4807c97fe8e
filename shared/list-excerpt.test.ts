import { describe, expect, it } from 'vitest'
import { boundedListChange, joinedListChanges, listChange } from './list-excerpt.ts'

describe('boundedListChange, a list as a recorded change holds it', () => {
  it('keeps the items removed and added, and the lengths', () => {
    expect(boundedListChange(['a', 'b', 'c'], ['a', 'c', 'd'])).toEqual({ from: { items: ['b'], length: 3 }, to: { items: ['d'], length: 3 } })
    const link = (claimId: string, rating: string) => ({ claimId, rating })
    expect(boundedListChange([link('c1', 'C'), link('c2', 'I')], [link('c1', 'II'), link('c2', 'I')])).toEqual({
      from: { items: [link('c1', 'C')], length: 2 },
      to: { items: [link('c1', 'II')], length: 2 },
    })
  })

  it('counts a duplicate once for each copy more, and keeps a reordering or what is not a list whole', () => {
    expect(boundedListChange(['a', 'a', 'b'], ['a', 'b'])).toEqual({ from: { items: ['a'], length: 3 }, to: { items: [], length: 2 } })
    expect(boundedListChange(['a', 'b'], ['b', 'a'])).toEqual({ from: ['a', 'b'], to: ['b', 'a'] })
    expect(boundedListChange(null, ['a'])).toEqual({ from: null, to: ['a'] })
  })
})

describe('listChange and joinedListChanges, what recorded changes of a list did', () => {
  it('reads either form alike', () => {
    const recorded = boundedListChange(['a', 'b'], ['b', 'c'])
    expect(listChange(recorded.from, recorded.to)).toEqual(listChange(['a', 'b'], ['b', 'c']))
    expect(listChange(['a', 'b'], ['b', 'c'])).toEqual({ removed: ['a'], added: ['c'], fromLength: 2, toLength: 2 })
    expect(listChange('a', ['a'])).toBeNull()
  })

  it('joins two changes into what the two did: an item put back after it was taken off is no change', () => {
    const first = listChange(['a', 'b', 'c'], ['a', 'b'])!
    const second = listChange(['a', 'b'], ['a', 'c', 'd'])!
    expect(joinedListChanges(first, second)).toEqual({ removed: ['b'], added: ['d'], fromLength: 3, toLength: 3 })
  })
})
