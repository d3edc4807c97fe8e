import { describe, expect, it } from 'vitest'
import { withDrawableCharacters } from './pdf-missing-glyphs.ts'

/** The text as printed, and how many runs were replaced. */
function drawn(text: string): [string, number] {
  let runs = 0
  return [withDrawableCharacters(text, () => runs++), runs]
}

describe('withDrawableCharacters', () => {
  it('leaves text the font draws exactly as written', () => {
    for (const text of ['Convoy near Brest', 'Café «Пригожин» — “Ωμέγα”', 'e\u0301 with a combining accent', '© \u00A0 non-breaking', '\u00A9\uFE0F']) {
      expect(drawn(text)).toEqual([text, 0])
    }
  })

  it('replaces each run of characters it cannot draw with one �, and their number past one', () => {
    expect(drawn('a \u{1F4A9} b')).toEqual(['a \uFFFD b', 1])
    expect(drawn('\u{1F4A9}\u{1D54F}'.repeat(5_000))).toEqual(['\uFFFD×10000', 1])
    expect(drawn('東京 and 𝕏')).toEqual(['\uFFFD×2 and \uFFFD', 2])
  })

  it('counts a joined emoji sequence by its visible characters, its joiners and variation selectors going with it', () => {
    expect(drawn('family 👨\u200D👩\u200D👧 here')).toEqual(['family \uFFFD×3 here', 1])
    expect(drawn('heart \u2764\uFE0F here')).toEqual(['heart \uFFFD here', 1])
  })
})
