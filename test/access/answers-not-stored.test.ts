/**
 * No API answer is kept by a browser or a proxy: every one says
 * `Cache-Control: no-store`, errors too, and signing out asks the browser to
 * drop this site's HTTP cache (`Clear-Site-Data: "cache"`). Without this a
 * shared crisis-room workstation kept a snapshot's judgments, the board list's
 * titles and markings, and review status in its disk cache after a proper
 * sign-out.
 */
import { describe, expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { signIn } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'

const JUDGMENT = 'Convoy movement indicates staging near the border crossing'

describe('API answers are not stored', () => {
  const given = useOwnedBoard({ owner: 'Olga Owner', board: 'Northern crossing' })

  it('says no-store on every answer carrying board content, and on refusals (401, 400, 404, 503)', async () => {
    const { api, boardId, server } = given
    const board = `/api/boards/${boardId}`
    expect((await api.post(`${board}/assessments`, { title: 'Staging', judgment: JUDGMENT })).status).toBe(201)
    const snapshot = await api.post<SnapshotSummary>(`${board}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)
    const kept = `${board}/snapshots/${snapshot.body.id}`

    const contentReads = [
      '/api/boards?archived=include',
      board,
      `${board}/snapshots`,
      kept,
      `${kept}/state`,
      `${kept}/summary`,
      `${kept}/review`,
      `${board}/checks?snapshot=${snapshot.body.id}`,
      `${board}/review/status`,
      `${board}/members`,
      '/api/me',
    ]
    for (const path of contentReads) {
      const read = await api.get(path)
      expect({ path, status: read.status }).toEqual({ path, status: 200 })
      expect({ path, cacheControl: read.headers.get('cache-control') }).toEqual({ path, cacheControl: 'no-store' })
    }
    // The snapshot's ETag stays (the API documents it as the content hash); no-store keeps any cache from storing it.
    expect((await api.get(kept)).headers.get('etag')).toBe(`"${snapshot.body.contentHash}"`)
    expect(JSON.stringify((await api.get(kept)).body)).toContain(JUDGMENT)

    const refusals = [
      { client: apiClient(server.url), path: board, status: 401 },
      { client: api, path: `${board}/snapshots/no-such-snapshot`, status: 404 },
      { client: api, path: `${board}/checks?scope=nonsense`, status: 400 },
      { client: api, path: '/api/no-such-route', status: 404 },
    ]
    for (const { client, path, status } of refusals) {
      const refused = await client.get(path)
      expect({ path, status: refused.status, cacheControl: refused.headers.get('cache-control') }).toEqual({ path, status, cacheControl: 'no-store' })
    }
    // As the server refuses everything once it is shutting down (server.ts sets this on SIGTERM).
    server.services.lifecycle.shuttingDown = true
    try {
      const unavailable = await api.get(board)
      expect({ status: unavailable.status, cacheControl: unavailable.headers.get('cache-control') }).toEqual({ status: 503, cacheControl: 'no-store' })
    } finally {
      server.services.lifecycle.shuttingDown = false
    }
    // A change's answer holds content as well.
    const changed = await api.patch(board, { bluf: JUDGMENT })
    expect({ status: changed.status, cacheControl: changed.headers.get('cache-control') }).toEqual({ status: 200, cacheControl: 'no-store' })
  })

  it('asks the browser to drop its HTTP cache, and only that, on sign-out', async () => {
    const { server, owner } = given
    const session = apiClient(server.url, { cookie: await signIn(server, owner), origin: server.url })
    expect((await session.get('/api/me')).status).toBe(200)
    const signedOut = await session.post('/api/auth/logout')
    expect(signedOut.status).toBe(204)
    // "cache" only: "storage" would also wipe the offline copies of boards, with edits not yet saved.
    expect(signedOut.headers.get('clear-site-data')).toBe('"cache"')
    expect(signedOut.headers.get('cache-control')).toBe('no-store')
    expect((await session.get('/api/me')).status).toBe(401)
  })
})
