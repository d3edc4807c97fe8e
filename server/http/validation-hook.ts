import type { Hook } from '@hono/zod-openapi'
import type { Context, Env } from 'hono'
import { describeIssues } from '../../shared/validation.ts'
import { errorBody } from './errors.ts'

/** A body, query or path that fails its schema gets 400 naming each bad field and why (on public and signed-in routes alike). */
export function validationHook<E extends Env>(result: Parameters<Hook<unknown, E, string, unknown>>[0], c: Context<E>) {
  if (!result.success) {
    return c.json(errorBody('invalid', `Invalid ${result.target}: ${describeIssues(result.error)}`), 400)
  }
  return undefined
}
