/** Path parameters, body helpers and error responses shared by the snapshot and review routes. */
import { z } from '@hono/zod-openapi'

export const boardIdParam = z.object({ id: z.string().min(1).max(64) })
export const snapshotParams = boardIdParam.extend({ snapshotId: z.string().min(1).max(64) })

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } })
export const jsonResponse = <S extends z.ZodType>(schema: S, description: string) => ({ ...json(schema), description })

export const errors = {
  400: jsonResponse(errorSchema, 'The request was invalid; the message says which field and why.'),
  401: jsonResponse(errorSchema, 'No valid credential.'),
  403: jsonResponse(errorSchema, 'No right to do this on this board.'),
  404: jsonResponse(errorSchema, 'No such board, snapshot or comment.'),
}
