/** Invite links: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code

describe('the invites API', () => {
  it('an owner makes a link; anyone reads what it offers; a signed-in person accepts it', async () => {
    const made = await given.board.owner.post<{ id: string; token: string }>(`/api/boards/${given.board.id}/invites`, { role: 'editor' })
    expect(made.status).toBe(201)
    expect(made.headers.get('cache-control')).toBe('no-store')
    const offered = await given.app.anonymous.get(`/api/invites/${made.body.token}`)
    expect(offered.status).toBe(200)
    expect(offered.body).toMatchObject({ boardId: given.board.id, boardTitle: 'Board under test', role: 'editor' })
    expect((await given.app.anonymous.post(`/api/invites/${made.body.token}/accept`)).status).toBe(401)
    const { api } = await given.app.account()
    const accepted = await api.post(`/api/invites/${made.body.token}/accept`)
    expect(accepted.status).toBe(200)
    expect(accepted.body).toMatchObject({ boardId: given.board.id, role: 'editor', outcome: 'joined' })
    expect((await api.post(`/api/invites/${made.body.token}/accept`)).body).toMatchObject({ outcome: 'kept' })
  })

  it('refuses a bad role, an expiry out of range and unknown fields with 400', async () => {
    const path = `/api/boards/${given.board.id}/invites`
    expect((await given.board.owner.post(path, { role: 'admin' })).status).toBe(400)
    expect((await given.board.owner.post(path, { role: 'editor', expiresInHours: 0 })).status).toBe(400)
    expect((await given.board.owner.post(path, { role: 'editor', expiresInHours: 30 * 24 + 1 })).status).toBe(400)
    expect((await given.board.owner.post(path, { role: 'editor', note: 'hi' })).status).toBe(400)
  })

  it('a board has at most 100 links that have not expired: the next is 409 too_many_invites until one is revoked', async () => {
    const path = `/api/boards/${given.board.id}/invites`
    const made: string[] = []
    // The board is shared with the other tests here, which may have made links already.
    const before = (await given.board.owner.get<unknown[]>(path)).body.length
    for (let i = before; i < 100; i++) {
      const link = await given.board.owner.post<{ id: string }>(path, { role: 'reviewer' })
      expect(link.status).toBe(201)
      made.push(link.body.id)
    }
    const refused = await given.board.owner.post<{ error: { code: string; message: string } }>(path, { role: 'editor' })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toEqual({
      code: 'too_many_invites',
      message: 'The board has 100 invite links that have not expired: revoke one that is no longer needed, then make this one.',
    })
    expect((await given.board.owner.get<unknown[]>(path)).body).toHaveLength(100)
    expect((await given.board.owner.delete(`${path}/${made.shift()}`)).status).toBe(204)
    const inItsPlace = await given.board.owner.post<{ id: string }>(path, { role: 'editor' })
    expect(inItsPlace.status).toBe(201)
    for (const id of [...made, inItsPlace.body.id]) expect((await given.board.owner.delete(`${path}/${id}`)).status).toBe(204)
  })

  it('an unknown or revoked link is 404 invite_not_found; revoking twice is 404', async () => {
    const unknown = await given.app.anonymous.get('/api/invites/no-such-token')
    expect(unknown.status).toBe(404)
    expect(errorCode(unknown.body)).toBe('invite_not_found')
    const made = await given.board.owner.post<{ id: string; token: string }>(`/api/boards/${given.board.id}/invites`, { role: 'reviewer' })
    const listed = await given.board.owner.get<{ id: string; usable: boolean }[]>(`/api/boards/${given.board.id}/invites`)
    expect(listed.body).toContainEqual(expect.objectContaining({ id: made.body.id, usable: true }))
    expect((await given.board.owner.delete(`/api/boards/${given.board.id}/invites/${made.body.id}`)).status).toBe(204)
    expect((await given.board.owner.delete(`/api/boards/${given.board.id}/invites/${made.body.id}`)).status).toBe(404)
    expect((await given.app.anonymous.get(`/api/invites/${made.body.token}`)).status).toBe(404)
    expect((await given.app.anonymous.get(`/api/invites/${'x'.repeat(129)}`)).status).toBe(400)
  })
})
