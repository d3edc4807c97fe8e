/** The kept history reads: bounded by their estimated bytes, the least recently used dropped first, a board's dropped together. */
import { expect, it } from 'vitest'
import { estimatedBytes, HistoryReadCache } from './history-read-cache.ts'

const state = (bytes: number) => ({ state: new Uint8Array(bytes) })

it('drops the least recently used past its bytes, and keeps nothing larger than all of them', () => {
  const size = estimatedBytes(state(1000))
  const cache = new HistoryReadCache(2 * size)
  cache.keep('a', 'b1', 0, state(1000))
  cache.keep('b', 'b1', 0, state(1000))
  expect(cache.get('a')).toBeDefined()
  cache.keep('c', 'b2', 0, state(1000))
  expect(cache.get('b')).toBeUndefined()
  expect(cache.get('a')).toBeDefined()
  expect(cache.get('c')).toBeDefined()
  cache.keep('d', 'b2', 0, state(3000))
  expect(cache.get('d')).toBeUndefined()
  expect(new HistoryReadCache(0).get('a')).toBeUndefined()
})

it("drops a board's reads, and does not keep one begun before they were dropped", () => {
  const cache = new HistoryReadCache(1 << 20)
  const begun = cache.generation('b1')
  cache.keep('a', 'b1', begun, state(10))
  cache.keep('z', 'b2', cache.generation('b2'), state(10))
  cache.forgetBoard('b1')
  expect(cache.get('a')).toBeUndefined()
  expect(cache.get('z')).toBeDefined()
  cache.keep('a', 'b1', begun, state(10))
  expect(cache.get('a')).toBeUndefined()
  cache.keep('a', 'b1', cache.generation('b1'), state(10))
  expect(cache.get('a')).toBeDefined()
})

it('estimates byte arrays by their length and strings by two bytes a character', () => {
  expect(estimatedBytes(new Uint8Array(5000))).toBe(5000)
  expect(estimatedBytes({ title: 'abc' })).toBe(16 + 10 + 6)
})
