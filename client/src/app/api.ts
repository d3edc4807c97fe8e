/**
 * The server's API as the client calls it, JSON or not. Every failure becomes an
 * ApiProblem carrying the server's own message (which says what was wrong and
 * what to do), or a plain one when the network itself failed.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again, when the server said so (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
    this.name = 'ApiProblem'
  }

  get offline(): boolean {
    return this.status === 0
  }
}

type ErrorBody = { error?: { code?: unknown; message?: unknown } }

/** Called on every 401, so an expired session sends the person to sign in once, from one place. */
let onUnauthorized: (() => void) | null = null

export function handleUnauthorized(handler: () => void): void {
  onUnauthorized = handler
}

/**
 * One request to the server, answered or refused: an ApiProblem carries the
 * server's message, or says the server could not be reached.
 */
async function send(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiProblem(0, 'offline', 'The server cannot be reached. Check the connection and try again.')
  }
  if (response.ok) return response
  const error = (parseJson(await response.text()) as ErrorBody | null)?.error
  const message = typeof error?.message === 'string' ? error.message : `The server answered ${response.status} ${response.statusText}.`
  const code = typeof error?.code === 'string' ? error.code : 'http_error'
  const retry = Number(response.headers.get('retry-after'))
  if (response.status === 401 && !path.startsWith('/api/auth/')) onUnauthorized?.()
  throw new ApiProblem(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null)
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return null
  }
}

/** A JSON route: the parsed answer. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body)
  return parseJson(await response.text()) as T
}

/** A GET whose body is not JSON (a snapshot's Yjs state, an exported file): the response itself. */
export function fetchResponse(path: string): Promise<Response> {
  return send('GET', path)
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
