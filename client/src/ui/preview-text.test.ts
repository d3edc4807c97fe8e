import { describe, expect, it } from 'vitest'
import { leftOpen } from '../../../test/helpers/overridden-text.ts'
import { PREVIEW_CHARS, previewText } from './preview-text.ts'

describe('previewText of a text cut short', () => {
  it('leaves no override whose end the cut dropped open over the ellipsis and what follows', () => {
    const text = `${'x'.repeat(PREVIEW_CHARS - 20)}\u202E${'y'.repeat(60)}\u202C the rest`
    const preview = previewText(text)
    expect(preview.endsWith('…')).toBe(true)
    expect(leftOpen(preview)).toBe(0)
  })
})
