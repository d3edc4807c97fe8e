import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { fieldRules } from './field-rules.ts'

/** The field's text after a change as CodeMirror reports it (positions in UTF-16 units), and the change the field made of it. */
function typed(text: string, change: { from: number; to?: number; insert: string }) {
  const state = EditorState.create({ doc: text, extensions: fieldRules(1000, true) })
  const tr = state.update({ changes: change })
  const changes: [number, number, string][] = []
  tr.changes.iterChanges((from, to, _fromB, _toB, inserted) => changes.push([from, to, inserted.toString()]))
  return { text: tr.state.doc.toString(), changes }
}

describe('a shared text field’s rules', () => {
  it('replace whole characters where CodeMirror reports half of a surrogate pair', () => {
    // "Card 😀" to "Card 😁": the page's text differs from CodeMirror's in the second unit only.
    expect(typed('Card 😀', { from: 6, to: 7, insert: '\uDE01' })).toEqual({ text: 'Card 😁', changes: [[5, 7, '😁']] })
    // The first units differ: "😀" (D83D DE00) to "🤀" (D83E DD00).
    expect(typed('😀 ok', { from: 0, to: 2, insert: '🤀' })).toEqual({ text: '🤀 ok', changes: [[0, 2, '🤀']] })
    expect(typed('😀 ok', { from: 0, to: 1, insert: '\uD83E' })).toEqual({ text: '\uD83E\uDE00 ok', changes: [[0, 2, '\uD83E\uDE00']] })
    // Half of a character replaced by a letter: the whole character is.
    expect(typed('a😀b', { from: 1, to: 2, insert: 'x' })).toEqual({ text: 'axb', changes: [[1, 3, 'x']] })
    expect(typed('a😀b', { from: 2, to: 3, insert: 'x' })).toEqual({ text: 'axb', changes: [[1, 3, 'x']] })
    // Typed between the halves: after the whole character.
    expect(typed('a😀b', { from: 2, insert: 'x' })).toEqual({ text: 'a😀xb', changes: [[3, 3, 'x']] })
    // Whole characters stay as reported, and the field's own tidying still applies.
    expect(typed('Card 😀', { from: 5, to: 7, insert: '😁' })).toEqual({ text: 'Card 😁', changes: [[5, 7, '😁']] })
    expect(typed('Card', { from: 4, insert: '\n😁\u0007' })).toEqual({ text: 'Card 😁', changes: [[4, 4, ' 😁']] })
  })

  it('makes no change that gives a character more than 30 combining marks with those beside it, as the relay would refuse it', () => {
    const marks = (count: number) => '\u0301'.repeat(count)
    // The 30th mark typed after 29 is made; the 31st, after 30 or before them, is not.
    expect(typed(`a${marks(29)}`, { from: 30, insert: marks(1) }).text).toBe(`a${marks(30)}`)
    expect(typed(`a${marks(30)}`, { from: 31, insert: marks(1) })).toEqual({ text: `a${marks(30)}`, changes: [] })
    expect(typed(`a${marks(30)}b`, { from: 1, insert: marks(1) }).changes).toEqual([])
    // A paste of a long run is cut to 30 by the text rule; a letter typed after a long run stored before the rule is made.
    expect(typed('x', { from: 1, insert: `a${marks(500)}` }).text).toBe(`xa${marks(30)}`)
    expect(typed(`a${marks(40)}`, { from: 41, insert: ' ok' }).text).toBe(`a${marks(40)} ok`)
    // Deleting the letter between two runs joins them: made up to 30 marks, not past (nor a selection reaching into both runs).
    expect(typed(`a${marks(15)}b${marks(15)}`, { from: 16, to: 17, insert: '' }).text).toBe(`a${marks(30)}`)
    expect(typed(`a${marks(20)}b${marks(20)}`, { from: 21, to: 22, insert: '' }).changes).toEqual([])
    expect(typed(`a${marks(20)}bc${marks(20)}`, { from: 18, to: 24, insert: '' }).changes).toEqual([])
    // Deleting beside one run, or marks within it, is made.
    expect(typed(`a${marks(20)}b`, { from: 21, to: 22, insert: '' }).text).toBe(`a${marks(20)}`)
    expect(typed(`a${marks(20)}b${marks(20)}`, { from: 5, to: 10, insert: '' }).text).toBe(`a${marks(15)}b${marks(20)}`)
    // Marks deleted within a long run stored before the rule: the run shortens, and the relay takes it too.
    expect(typed(`a${marks(40)}`, { from: 5, to: 10, insert: '' }).text).toBe(`a${marks(35)}`)
  })
})
