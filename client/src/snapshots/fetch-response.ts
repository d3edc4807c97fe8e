/**
 * A GET whose body is not JSON (a snapshot's Yjs state, an exported file),
 * failing the way app/api.ts fails: an ApiProblem with the server's own
 * message, so the person reads what was wrong and what to do.
 */
import { ApiProblem } from '../app/api.ts'

export async function fetchResponse(path: string): Promise<Response> {
  let response: Response
  try {
    response = await fetch(path, { credentials: 'same-origin' })
  } catch {
    throw new ApiProblem(0, 'offline', 'The server cannot be reached. Check the connection and try again.')
  }
  if (response.ok) return response
  let message = `The server answered ${response.status} ${response.statusText}.`
  let code = 'http_error'
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } }
    if (typeof body.error?.message === 'string') message = body.error.message
    if (typeof body.error?.code === 'string') code = body.error.code
  } catch {
    // Not the API's error body: the status line says enough.
  }
  throw new ApiProblem(response.status, code, message)
}

/** The file name the server suggests in Content-Disposition, if it gave one. */
export function suggestedFileName(response: Response): string | null {
  const disposition = response.headers.get('content-disposition') ?? ''
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  if (!match?.[1]) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    return match[1]
  }
}
