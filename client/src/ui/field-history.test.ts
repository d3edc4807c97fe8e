import { describe, expect, it } from 'vitest'
import { FieldHistory } from './field-history.ts'

/** Types `text` at the end of `from`, a key at a time, as the field records it. */
function type(history: FieldHistory, from: string, text: string): string {
  let current = from
  for (const key of text) {
    const next = current + key
    history.record(current, next, 'insertText', next.length)
    current = next
  }
  return current
}

describe('a plain field’s undo', () => {
  it('undoes this person’s typing through a colleague’s change merged in since, which it keeps', () => {
    const history = new FieldHistory()
    const typed = type(history, 'No signs.', ' Imagery disagrees.')
    // A colleague's words at the start, merged in.
    history.break()
    const merged = `Bo: ${typed}`
    const more = type(history, merged, ' Checked.')

    expect(history.undo(more)).toEqual({ text: `Bo: No signs. Imagery disagrees.`, caret: 'Bo: No signs. Imagery disagrees.'.length })
    expect(history.undo('Bo: No signs. Imagery disagrees.')).toEqual({ text: 'Bo: No signs.', caret: 'Bo: No signs.'.length })
    expect(history.undo('Bo: No signs.')).toBeNull()
    expect(history.redo('Bo: No signs.')).toEqual({ text: 'Bo: No signs. Imagery disagrees.', caret: 'Bo: No signs. Imagery disagrees.'.length })
  })

  it('starts a step where the caret moved or the kind of edit changed', () => {
    const history = new FieldHistory()
    const typed = type(history, '', 'abc')
    history.record(typed, 'ab', 'deleteContentBackward', 2)
    history.record('ab', 'Xab', 'insertText', 1)
    expect(history.undo('Xab')?.text).toBe('ab')
    expect(history.undo('ab')?.text).toBe('abc')
    expect(history.undo('abc')?.text).toBe('')
  })

  it('passes over an edit whose words a colleague rewrote since, and a new edit ends the redo', () => {
    const history = new FieldHistory()
    history.record('Units stay.', 'Units stay put.', 'insertText', 14)
    history.break()
    history.record('Units stay put.', 'Units stay put. Ana.', 'insertText', 20)
    // A colleague rewrote "stay put": undoing the first edit would keep both, so it is passed over.
    const current = 'Units leave. Ana.'
    expect(history.undo(current)?.text).toBe('Units leave.')
    expect(history.undo('Units leave.')).toBeNull()
    history.record('Units leave.', 'Units leave!', 'insertText', 12)
    expect(history.redo('Units leave!')).toBeNull()
  })
})
