import type { z } from 'zod'
import { BoardError } from './board-doc.ts'

/** Issues named in one message; a body can fail on thousands of fields, and the message must stay a message. */
const ISSUES_NAMED = 10
/** Characters of one issue, its path included: an issue listing every unknown key of a body would echo the body. */
const ISSUE_CHARS = 300

/** "title: Too small: expected string to have >=1 characters; rating: Invalid option" */
export function describeIssues(error: z.ZodError): string {
  const named = error.issues.slice(0, ISSUES_NAMED).map((issue) => {
    const text = issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message
    return text.length > ISSUE_CHARS ? `${text.slice(0, ISSUE_CHARS)}…` : text
  })
  const more = error.issues.length - named.length
  return more > 0 ? `${named.join('; ')}; and ${more} more` : named.join('; ')
}

/** Parses `value`, or throws a BoardError that says which fields were wrong and why. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new BoardError('invalid', `Invalid ${what}: ${describeIssues(result.error)}`)
  return result.data
}
