import { describe, expect, it } from 'vitest'
import { leftOpen } from '../test/helpers/overridden-text.ts'
import { withControlsClosed } from './bidi.ts'

const RLO = '\u202E'
const LRE = '\u202A'
const PDF = '\u202C'
const RLI = '\u2067'
const PDI = '\u2069'

describe('withControlsClosed, a cut of member text', () => {
  // Nested and closed runs, an isolate holding an override, a stray closer of nothing, a line break ending a paragraph.
  const member = `a${RLO}bc${LRE}de${PDF}f${PDF}g${RLI}h${RLO}i${PDI}j${PDF}k${RLO}l\nm${RLO}n${RLI}o`

  it('leaves nothing open over the words after it, wherever the text is cut', () => {
    for (let end = 0; end <= member.length; end++) {
      const cut = member.slice(0, end)
      expect(leftOpen(withControlsClosed(cut)), JSON.stringify(cut)).toBe(0)
    }
  })

  it('closes innermost first, and adds nothing to a text that closes what it opens', () => {
    expect(withControlsClosed(`${RLO}a${RLI}b${LRE}c`)).toBe(`${RLO}a${RLI}b${LRE}c${PDF}${PDI}${PDF}`)
    expect(withControlsClosed(`x${RLO}a${PDF}y${PDF}`)).toBe(`x${RLO}a${PDF}y${PDF}`)
    expect(withControlsClosed(`${RLI}a${RLO}b${PDI}`)).toBe(`${RLI}a${RLO}b${PDI}`)
  })
})
