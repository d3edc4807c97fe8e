import { describe, expect, it } from 'vitest'
import { contentHash } from './content-hash.ts'

describe('contentHash', () => {
  it('is FNV-1a 64 over UTF-8, matching the published test vectors', () => {
    expect(contentHash('')).toBe('fnv1a64:cbf29ce484222325')
    expect(contentHash('a')).toBe('fnv1a64:af63dc4c8601ec8c')
    expect(contentHash('foobar')).toBe('fnv1a64:85944171f73967e8')
  })

  it('tells texts apart that differ in one character, however far in', () => {
    const text = `${'x'.repeat(100_000)}NATO`
    expect(contentHash(text)).not.toBe(contentHash(`${'x'.repeat(100_000)}NATo`))
    expect(contentHash('Kremlin’s')).not.toBe(contentHash("Kremlin's"))
  })
})
