import { describe, expect, it } from 'vitest'
import { gradeDescription } from './labels.ts'

describe("an Admiralty grade's two halves in words", () => {
  it("names each half by what it grades, in DOMAIN.md's labels as written", () => {
    expect(gradeDescription('B', 2)).toBe('Source: Usually reliable · Information: Probably true')
    expect(gradeDescription('F', 6)).toBe('Source: Reliability cannot be judged · Information: Truth cannot be judged')
  })
})
