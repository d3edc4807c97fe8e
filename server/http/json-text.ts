/**
 * JSON made in a worker thread and sent as it is. Serializing a large result
 * (a comparison of two big versions is megabytes) is itself work; done where
 * the result is made, the relay's thread only copies the text out. A text sent
 * to many readers is encoded once, and every answer shares those bytes: sent
 * as text, each answer the socket could not take at once held an encoded copy
 * of its own.
 */
import type { Context, TypedResponse } from 'hono'
import type { JSONParsed } from 'hono/utils/types'

declare const holds: unique symbol

/** The JSON text of a `T`: the type says what the text holds. */
export type JsonText<T> = string & { readonly [holds]: T }

export function jsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>
}

/** The UTF-8 bytes of a JSON text of a `T`, shared by every answer that sends them. */
export type JsonBytes<T> = Buffer<ArrayBuffer> & { readonly [holds]: T }

export function jsonBytes<T>(text: JsonText<T>): JsonBytes<T> {
  return Buffer.from(text) as JsonBytes<T>
}

type JsonResponse<T> = Response & TypedResponse<JSONParsed<T>, 200, 'json'>

/**
 * Sends the text (or its bytes) as a route's typed JSON response: the same body
 * `c.json(value, 200)` would send. The type is only asserted: the brand on the
 * text is what vouches for it.
 */
export function sendJsonText<T>(c: Context, json: JsonText<T> | JsonBytes<T>): JsonResponse<T> {
  const response: Response = c.body(json, 200, { 'content-type': 'application/json' })
  return response as unknown as JsonResponse<T>
}
