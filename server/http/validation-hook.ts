import type { Hook } from '@hono/zod-openapi'
import { describeIssues } from '../../shared/validation.ts'
import type { AppEnv } from './app-env.ts'
import { errorBody } from './errors.ts'

/** A body, query or path that fails its schema gets 400 naming each bad field and why. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (!result.success) {
    return c.json(errorBody('invalid', `Invalid ${result.target}: ${describeIssues(result.error)}`), 400)
  }
  return undefined
}
