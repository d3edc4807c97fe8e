/**
 * JSON made in a worker thread and sent as it is. Serializing a large result
 * (a comparison of two big versions is megabytes) is itself work; done where
 * the result is made, the relay's thread only copies the text out.
 */
import type { Context, TypedResponse } from 'hono'
import type { JSONParsed } from 'hono/utils/types'

declare const holds: unique symbol

/** The JSON text of a `T`: the type says what the text holds. */
export type JsonText<T> = string & { readonly [holds]: T }

export function jsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>
}

type JsonResponse<T> = Response & TypedResponse<JSONParsed<T>, 200, 'json'>

/**
 * Sends the text as a route's typed JSON response: the same body `c.json(value, 200)`
 * would send. The type is only asserted: the brand on the text is what vouches for it.
 */
export function sendJsonText<T>(c: Context, text: JsonText<T>): JsonResponse<T> {
  const response: Response = c.body(text, 200, { 'content-type': 'application/json' })
  return response as unknown as JsonResponse<T>
}
