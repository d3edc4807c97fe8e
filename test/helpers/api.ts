/** A small JSON client for the server's API. */
export type ApiResponse<T = unknown> = { status: number; body: T; headers: Headers }

/** One exchange as a test can inspect it afterwards (e.g. to search it for secrets). */
export type ObservedResponse = { method: string; path: string; status: number; headers: Headers; text: string }

export type ApiClient = ReturnType<typeof apiClient>

/** Longer than any answer a test waits for on a loaded machine, so a request that hangs fails the test with its path instead of its timeout. */
const REQUEST_TIMEOUT_MS = 60_000

/** How a request reaches the server: over the network, or straight into the app (`app.request`). */
export type Send = (url: string, init: RequestInit) => Promise<Response>

/** `baseUrl` may be a function, for a client that must follow a server restarted on another port. */
export function apiClient(baseUrl: string | (() => string), headers: Record<string, string> = {}, observe?: (response: ObservedResponse) => void, send: Send = fetch) {
  const base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await send(base() + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch((error: unknown) => {
      throw new Error(`${method} ${path} failed: ${String(error)}`)
    })
    const text = await response.text()
    observe?.({ method, path, status: response.status, headers: response.headers, text })
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers }
  }
  return {
    get: <T = unknown>(path: string) => call<T>('GET', path),
    head: (path: string) => call<null>('HEAD', path),
    post: <T = unknown>(path: string, body?: unknown) => call<T>('POST', path, body),
    patch: <T = unknown>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    put: <T = unknown>(path: string, body?: unknown) => call<T>('PUT', path, body),
    delete: <T = unknown>(path: string) => call<T>('DELETE', path),
    /** Creates a board and returns its id, failing loudly otherwise. */
    async createBoard(title: string): Promise<string> {
      const created = await call<{ id: string }>('POST', '/api/boards', { title })
      if (created.status !== 201) throw new Error(`board create failed: ${created.status} ${JSON.stringify(created.body)}`)
      return created.body.id
    },
  }
}
