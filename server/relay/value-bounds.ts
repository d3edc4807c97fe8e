/**
 * How far past its schema's limits a plain value set over the websocket may
 * go (field-values.ts applies it): each string and array at most
 * TEXT_GROWTH_BOUND times its limit, however deep in the value it lies. A value
 * over a limit is read cut to it (shared/within-limits.ts), so the bound has to
 * be checked on the value as sent: a card's tags set to one tag of 8,000,000
 * characters from a stock client read as one tag of 64, while every browser
 * and checkpoint held the 8 MB.
 *
 * Where the schema sets no limit (an assessment's order, the keys an object's
 * schema does not name, which no reader reads), the value is held to
 * UNLIMITED_SIZE times the bound: an honest client writes nothing near it.
 */
import { z } from 'zod'
import { LIMITS } from '../../shared/limits.ts'
import { TEXT_GROWTH_BOUND } from './text-lengths.ts'

/** What a string or array is held to, times the bound, where its schema sets no limit: the model's longest text. */
const UNLIMITED_SIZE = LIMITS.longText

/** Whether a value is past the bound of the schema it was made for. */
export type PastBound = (value: unknown) => boolean

/**
 * The bound of `schema`, walked once: its strings, arrays and objects, through
 * the wrappers that make a field optional. A value of another kind than the
 * schema's is never past it here: the schema refuses it whole. A schema the
 * walk does not read (an enum, a number) holds its value to the size of a
 * value no schema names: an acknowledgement is held to its schema's bounds
 * alone, not to its schema, and its rule (an enum) took a string of any
 * length.
 */
export function growthBound(schema: z.ZodType): PastBound {
  const inner = unwrapped(schema)
  if (inner instanceof z.ZodString) {
    const limit = TEXT_GROWTH_BOUND * (maximumOf(inner) ?? UNLIMITED_SIZE)
    return (value) => typeof value === 'string' && value.length > limit
  }
  if (inner instanceof z.ZodArray) {
    const limit = TEXT_GROWTH_BOUND * (maximumOf(inner) ?? UNLIMITED_SIZE)
    const itemPast = growthBound(inner.element as z.ZodType)
    return (value) => Array.isArray(value) && (value.length > limit || value.some(itemPast))
  }
  if (inner instanceof z.ZodObject) {
    const fields = new Map(Object.entries(inner.shape as Record<string, z.ZodType>).map(([key, field]) => [key, growthBound(field)]))
    return (value) => isRecord(value) && objectPast(value, fields)
  }
  if (inner instanceof z.ZodUnion) {
    const options = (inner.options as readonly z.ZodType[]).map(growthBound)
    return (value) => options.every((past) => past(value))
  }
  return (value) => sizePast(value, UNNAMED_LIMIT)
}

/** What a value no schema names is held to (sizePast): twice the model's longest text. */
export const UNNAMED_LIMIT = TEXT_GROWTH_BOUND * UNLIMITED_SIZE

/**
 * Whether a value no schema names is past `limit`: its strings, keys and
 * other values counted together, a string by its length, anything else as one.
 */
export function sizePast(value: unknown, limit: number): boolean {
  return sizeWithin(value, limit) < 0
}

/** Whether any named field of `value` is past its bound, or its other keys together past the bound of a value no schema names. */
function objectPast(value: Record<string, unknown>, fields: ReadonlyMap<string, PastBound>): boolean {
  let unnamed = UNNAMED_LIMIT
  for (const [key, field] of Object.entries(value)) {
    const past = fields.get(key)
    if (past !== undefined) {
      if (past(field)) return true
      continue
    }
    unnamed = sizeWithin(field, unnamed - key.length)
    if (unnamed < 0) return true
  }
  return false
}

/** What is left of `budget` once `value` is counted, read only until it is spent (negative then). */
function sizeWithin(value: unknown, budget: number): number {
  let left = budget - (typeof value === 'string' ? value.length : 1)
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length && left >= 0; index++) left = sizeWithin(value[index], left)
  } else if (isRecord(value)) {
    for (const key in value) {
      if (left < 0) break
      left = sizeWithin(value[key], left - key.length)
    }
  }
  return left
}

function unwrapped(schema: z.ZodType): z.ZodType {
  let inner = schema
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType
    else if (inner instanceof z.ZodPipe) inner = inner.in as z.ZodType
    else return inner
  }
}

/** The smallest maximum length a string's or an array's checks set, or null for none. */
export function maximumOf(schema: z.ZodString | z.ZodArray): number | null {
  let maximum: number | null = null
  for (const check of schema._zod.def.checks ?? []) {
    if (check instanceof z.core.$ZodCheckMaxLength) maximum = Math.min(maximum ?? Infinity, check._zod.def.maximum)
  }
  return maximum
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
}
