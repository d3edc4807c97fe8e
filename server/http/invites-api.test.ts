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
