/**
 * What one request body may cost before any route reads it: its size, the
 * shape of its JSON, and the parts of its form. Parsing is where a body's cost
 * lies, and the schemas only run after it: a 4 MiB body of `[[[[…` held the
 * event loop for two seconds in JSON.parse alone, a URL-encoded form of 1.4
 * million fields 1.1 s and a multipart form of 41,517 tiny files 1.4 s in
 * Hono's form parsing (undici's `formData`).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { jsonShapeOver, type JsonShapeExcess, type JsonShapeLimits } from '../json-shape.ts'
import { multipartShapeOver, type MultipartShapeExcess, type MultipartShapeLimits } from '../multipart-shape.ts'
import type { AppEnv } from './app-env.ts'
import { ApiError, errorBody, unsupportedMediaType } from './errors.ts'

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

/**
 * Refuses a form before it is parsed: its cost is its fields and parts, not
 * its bytes. No route takes a URL-encoded form, yet the routes' check lets one
 * through wherever a multipart form is declared, so it is refused here with
 * 415 before it is read (an empty one, as `curl -d ''` sends to a route that
 * takes no body, is let be). A multipart form over `limits` is refused with 400.
 */
export function formLimit(limits: MultipartShapeLimits): MiddlewareHandler<AppEnv> {
  const refusals: Record<MultipartShapeExcess, string> = {
    parts: `has more than ${limits.parts} parts`,
    'header-bytes': `has a part whose headers are over ${describeBytes(limits.headerBytes)}`,
  }
  return async function refuseCostlyForms(c, next) {
    const mediaType = mediaTypeOf(c)
    if (mediaType === 'application/x-www-form-urlencoded' && c.req.header('content-length') !== '0') throw unsupportedMediaType()
    const boundary = mediaType === 'multipart/form-data' ? /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(c.req.header('content-type') ?? '') : null
    // Without a boundary the form parser refuses the body at once.
    if (boundary) {
      // Read once: the route's parse takes the same bytes from the request's cache.
      const excess = multipartShapeOver(Buffer.from(await c.req.arrayBuffer()), boundary[1] ?? boundary[2]!, limits)
      if (excess !== null) throw new ApiError(400, 'too_complex', `The multipart form ${refusals[excess]}.`)
    }
    await next()
  }
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`
}
