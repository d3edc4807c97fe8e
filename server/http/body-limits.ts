/**
 * What one request body may cost before any route reads it: its size, and the
 * shape of its JSON. Parsing is where a body's cost lies, and the schemas only
 * run after it: a 4 MiB body of `[[[[…` held the event loop for two seconds in
 * JSON.parse alone.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { jsonShapeOver, type JsonShapeExcess, type JsonShapeLimits } from '../json-shape.ts'
import type { AppEnv } from './app-env.ts'
import { ApiError, errorBody } from './errors.ts'

/** The media types Hono's validator parses as JSON. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/

/** The request body's media type without its parameters, lower-cased (media types are case-insensitive); '' without a Content-Type. */
export function mediaTypeOf(c: Context): string {
  return c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase() ?? ''
}

export function isJsonMediaType(mediaType: string): boolean {
  return JSON_MEDIA_TYPE.test(mediaType)
}

/** Refuses a body over `maxBytes` with 413, counting what arrives when no Content-Length says it. */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is never read, so the connection cannot carry another request: it is closed after the answer.
    onError: (c) => c.json(errorBody('too_large', `The request body is over ${describeBytes(maxBytes)}.`), 413, { Connection: 'close' }),
  })
}

/** Refuses a JSON body over any of `limits` with 400, before it is parsed. */
export function jsonShapeLimit(limits: Required<JsonShapeLimits>): MiddlewareHandler<AppEnv> {
  const refusals: Record<JsonShapeExcess, string> = {
    depth: `nests deeper than ${limits.depth} levels`,
    values: `holds more than ${limits.values} values`,
    keys: `has an object of more than ${limits.keysPerObject} keys`,
  }
  return async function refuseCostlyJson(c, next) {
    if (isJsonMediaType(mediaTypeOf(c))) {
      // Read as text once: the route's parse takes the same text from the request's cache.
      const excess = jsonShapeOver(await c.req.text(), limits)
      if (excess !== null) throw new ApiError(400, 'too_complex', `The JSON body ${refusals[excess]}.`)
    }
    await next()
  }
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`
}
