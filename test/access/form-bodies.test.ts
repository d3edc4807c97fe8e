/**
 * Form bodies, which Hono parses whole (undici's `formData`) on the event loop
 * before any schema runs, by their fields and parts rather than their bytes:
 * 4 MiB of URL-encoded `a=&` held the loop 1.1 s and a multipart form of
 * 41,517 tiny files 1.4 s on the import route, the one route that takes a form,
 * before each was refused. Each is sent over a real socket to the real server
 * and must be refused, without changing anything, by the check that comes
 * before the parser; the form an import does send still imports.
 */
import { describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { addToken } from '../helpers/accounts.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'

type ErrorBody = { error: { code: string; message: string } }

const BOUNDARY = 'assay-form-test'
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`

/** A multipart form of `parts` (each its headers and content), closed. */
const multipart = (...parts: [headers: string, content: string][]) =>
  parts.map(([headers, content]) => `--${BOUNDARY}\r\n${headers}\r\n\r\n${content}\r\n`).join('') + `--${BOUNDARY}--\r\n`

const filePart = (content: string): [string, string] => ['Content-Disposition: form-data; name="file"; filename="brief.txt"\r\nContent-Type: text/plain', content]

describe('form bodies', () => {
  const given = useOwnedBoard({ owner: 'Fay Forms', board: 'Forms' })
  const send = async (path: string, contentType: string, body: string) => {
    expect(body.length).toBeLessThan(LIMITS.maxBodyBytes)
    const { token } = await addToken(given.server, given.owner)
    const response = await fetch(`${given.server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body })
    return { status: response.status, body: (await response.json()) as ErrorBody }
  }
  const importPath = () => `/api/boards/${given.boardId}/import`
  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body

  it.each([
    ['1.4 million repeats of one field', 'a=&'.repeat(1_390_000)],
    ['470,000 distinct fields', Array.from({ length: 470_000 }, (_, i) => `k${i}=`).join('&')],
  ])('refuses a URL-encoded form of %s on the import route with 415 before parsing it', async (_what, body) => {
    const refused = await send(importPath(), 'application/x-www-form-urlencoded', body)
    expect(refused).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } })
    expect(refused.body.error.message).toMatch(/application\/json/)
    expect((await board()).documents).toEqual([])
  })

  it('refuses a body of a type a JSON route does not take with the same answer', async () => {
    for (const contentType of ['text/plain', MULTIPART, 'application/x-www-form-urlencoded']) {
      const refused = await send(`/api/boards/${given.boardId}/sources`, contentType, 'name=Wire')
      expect({ contentType, ...refused }).toMatchObject({ contentType, status: 415, body: { error: { code: 'unsupported_media_type' } } })
    }
    expect((await board()).sources).toEqual([])
  })

  it.each([
    [`has more than ${LIMITS.maxFormParts} parts`, multipart(...Array.from({ length: 35_000 }, () => filePart('x')))],
    [
      'has a part whose headers are over 8 KiB',
      multipart([`Content-Disposition: form-data; name="file"; filename="brief.txt"${'\r\nX-Filler: y'.repeat(300_000)}`, 'x']),
    ],
  ])('refuses a multipart form that %s, before parsing it', async (why, body) => {
    const refused = await send(importPath(), MULTIPART, body)
    expect(refused).toEqual({ status: 400, body: { error: { code: 'too_complex', message: `The multipart form ${why}.` } } })
    expect((await board()).documents).toEqual([])
  })

  it('imports the form an import sends, up to the limit of parts', async () => {
    const padding = Array.from({ length: LIMITS.maxFormParts - 2 }, (): [string, string] => ['Content-Disposition: form-data; name="unused"', ''])
    const form = multipart(filePart('The convoy left at dawn. [citation: Field report]'), ['Content-Disposition: form-data; name="title"', 'Morning brief'], ...padding)
    expect((await send(importPath(), MULTIPART, form)).status).toBe(200)
    const imported = await board()
    expect(imported.documents.map((d) => d.title)).toEqual(['Morning brief'])
    expect(imported.claims.map((c) => c.text)).toEqual(['The convoy left at dawn.'])
  })
})
