import { describe, expect, it } from 'vitest'
import { formatBytes, formatCount } from './format-number.ts'

describe('numbers as a person reads them', () => {
  it('groups a count’s thousands as English does', () => {
    for (const count of [0, 7, 999, 1000, 12_345, 4_000_000, 1_234_567_890]) expect(formatCount(count)).toBe(count.toLocaleString('en'))
  })

  it('rounds a size up, so that one just over a limit never reads as equal to it', () => {
    expect(formatBytes(65_536)).toBe('64 KB')
    expect(formatBytes(65_537)).toBe('65 KB')
    expect(formatBytes(32 * 1024 * 1024)).toBe('32 MB')
    expect(formatBytes(32 * 1024 * 1024 + 1)).toBe('32.1 MB')
  })
})
