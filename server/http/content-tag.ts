/**
 * A snapshot never changes, so its content hash is a strong ETag of what its
 * routes answer, and a client that kept an answer (an API client with its own
 * copy: browsers keep none, see no-store.ts) can ask again with
 * `If-None-Match` and be answered `304` with no body: nothing read, nothing
 * sent, nothing counted against the person's history reads.
 */
import type { Context } from 'hono'

/** Sets the answer's ETag to the content hash; true when the request's If-None-Match names it (or is `*`), so `304` is the answer. */
export function alreadyHeld(c: Context, contentHash: string): boolean {
  const tag = `"${contentHash}"`
  c.header('ETag', tag)
  const held = c.req.header('if-none-match')
  if (held === undefined) return false
  // A list of tags, each maybe weak (W/"…"): If-None-Match compares weakly (RFC 9110, 13.1.2).
  return held.split(',').some((listed) => {
    const named = listed.trim()
    return named === '*' || named.replace(/^W\//, '') === tag
  })
}
