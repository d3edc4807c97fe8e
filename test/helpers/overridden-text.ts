/**
 * The explicit levels of the Unicode bidirectional algorithm, each line a
 * paragraph (a line break ends every override, as a paragraph's end does).
 * Written apart from shared/bidi.ts, so that it checks that module rather
 * than repeat it.
 */
import { PDI } from '../../shared/bidi.ts'

const OVERRIDES_AND_EMBEDDINGS = new Set(['\u202A', '\u202B', '\u202D', '\u202E'])
const ISOLATES = new Set(['\u2066', '\u2067', '\u2068'])

type Level = 'isolate' | 'embedding'

/** Each character with the levels open where it stands (the controls themselves included, after applying them). */
function levels(text: string, visit: (character: string, at: number, open: readonly Level[]) => void): Level[] {
  const stack: Level[] = []
  ;[...text].forEach((character, at) => {
    if (character === '\n') stack.length = 0
    else if (ISOLATES.has(character)) stack.push('isolate')
    else if (OVERRIDES_AND_EMBEDDINGS.has(character)) stack.push('embedding')
    else if (character === PDI) {
      const isolateAt = stack.lastIndexOf('isolate')
      if (isolateAt !== -1) stack.length = isolateAt
    } else if (character === '\u202C') {
      if (stack.at(-1) === 'embedding') stack.pop()
    } else visit(character, at, stack)
  })
  return stack
}

/** The product's own text (outside every isolate) that an override or embedding still governs, each with what precedes it. */
export function overriddenProductText(text: string): string[] {
  const found: string[] = []
  levels(text, (character, at, open) => {
    if (!open.includes('isolate') && open.includes('embedding') && /\S/u.test(character)) found.push([...text].slice(Math.max(0, at - 40), at + 1).join(''))
  })
  return found
}

/** How many embeddings, overrides and isolates the text leaves open at its end, over whatever follows it. */
export function leftOpen(text: string): number {
  return levels(text, () => undefined).length
}
