/** A board's history over HTTP: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

describe('the history API', () => {
  it('lists sessions and changes for members; refuses from after to, bad times and limits with 400', async () => {
    const base = `/api/boards/${given.board.id}/history`
    expect((await given.board.reviewer.get(base)).status).toBe(200)
    expect((await given.board.reviewer.get(`${base}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?from=yesterday`)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}/changes`)).status).toBe(200)
    expect((await given.board.reviewer.get(`${base}/changes?limit=0`)).status).toBe(400)
    expect((await given.board.stranger.get(base)).status).toBe(404)
  })

  it('the state as of a time needs asOf, in the past, after the board was made', async () => {
    const base = `/api/boards/${given.board.id}/history/state`
    expect((await given.board.reviewer.get(base)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?asOf=2999-01-01T00:00:00Z`)).status).toBe(400)
    expect((await given.board.reviewer.get(`${base}?asOf=2000-01-01T00:00:00Z`)).status).toBe(404)
    const now = await given.board.reviewer.get(`${base}?asOf=${new Date().toISOString()}`)
    expect(now.status).toBe(200)
    expect(now.headers.get('content-type')).toBe('application/octet-stream')
    expect(now.headers.get('assay-as-of')).not.toBeNull()
  })
})
