import type { z } from 'zod'
import { BoardError } from './board-doc.ts'

/** "title: Too small: expected string to have >=1 characters; rating: Invalid option" */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}

/** Parses `value`, or throws a BoardError that says which fields were wrong and why. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw new BoardError('invalid', `Invalid ${what}: ${describeIssues(result.error)}`)
  return result.data
}
