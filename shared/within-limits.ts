/**
 * Reading what a board document holds against the model's schemas, where a
 * text over its limit is cut to it instead of refused. The HTTP API refuses a
 * text over its limit, but the relay cannot: two editors, one of them offline,
 * can each keep a judgment within 20,000 characters in their own copy and
 * merge to more, and refusing the merge would have the offline editor send it
 * again forever. Refused on reading, the card vanished for everyone, with its
 * links; read cut, it stays, and its editors can shorten it.
 *
 * The limits are the schemas' own (their `max`): this reads what a schema
 * reports as too long, so every field of every schema is held to its limit
 * from one definition.
 */
import type { z } from 'zod'

/**
 * A schema reports what is too long inside an array only once the array is
 * within its own limit (a card's tags): so many rounds of cutting at most.
 */
const CUTTING_ROUNDS = 3

/**
 * `value` parsed with `schema`, each string or array the schema finds too long
 * cut to its limit first. Null when it is not valid for any other reason.
 */
export function parseWithinLimits<T>(schema: z.ZodType<T>, value: unknown): T | null {
  let current = value
  for (let round = 0; round <= CUTTING_ROUNDS; round++) {
    // With its input, an issue reports the value as the schema checked it: cleaned and trimmed, what is cut.
    const parsed = schema.safeParse(current, { reportInput: true })
    if (parsed.success) return parsed.data
    const cut = cutToLimits(current, parsed.error.issues)
    if (cut === null) return null
    current = cut
  }
  return null
}

/** `value` with what each issue finds too long cut to its maximum; null when an issue is of another kind. */
function cutToLimits(value: unknown, issues: z.ZodError['issues']): unknown {
  let result = value
  for (const issue of issues) {
    if (issue.code !== 'too_big' || (issue.origin !== 'string' && issue.origin !== 'array') || issue.path.length === 0) return null
    const max = Number(issue.maximum)
    const checked = issue.input
    if (typeof checked === 'string') result = replacedAt(result, issue.path, cutText(checked, max))
    else if (Array.isArray(checked)) result = replacedAt(result, issue.path, checked.slice(0, max))
    else return null
  }
  return result
}

/** A copy of `root` with `replacement` at `path`: only the objects and arrays on the way are copied (the rest may be large, or not plain). */
function replacedAt(root: unknown, path: readonly PropertyKey[], replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const [key, ...rest] = path as [PropertyKey, ...PropertyKey[]]
  if (Array.isArray(root)) return root.map((item, index) => (index === key ? replacedAt(item, rest, replacement) : item))
  const holder = root !== null && typeof root === 'object' ? (root as Record<PropertyKey, unknown>) : {}
  return { ...holder, [key]: replacedAt(holder[key], rest, replacement) }
}

/** The first `max` UTF-16 units of `text`, never half of a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text
  const last = text.charCodeAt(max - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}
