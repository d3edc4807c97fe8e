/** A board's members and audit log: status codes and validation through the real app (no server, no socket). */
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

const given = useTestApp()

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code

describe('the members API', () => {
  it('adds an account by email; a second time is 409, an unknown email 404, a bad role or email 400', async () => {
    const { account } = await given.app.account()
    const added = await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: account.email, role: 'reviewer' })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ userId: account.id, role: 'reviewer' })
    const again = await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: account.email, role: 'editor' })
    expect(again.status).toBe(409)
    expect(errorCode(again.body)).toBe('already_member')
    const unknown = await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: 'nobody@example.org', role: 'editor' })
    expect(unknown.status).toBe(404)
    expect(errorCode(unknown.body)).toBe('no_account')
    expect((await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: account.email, role: 'admin' })).status).toBe(400)
    expect((await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: 'not an email', role: 'editor' })).status).toBe(400)
  })

  it('changes a role and removes a member; the last owner cannot go (409), a non-member is 404', async () => {
    const { account } = await given.app.account()
    await given.board.owner.post(`/api/boards/${given.board.id}/members`, { email: account.email, role: 'reviewer' })
    const raised = await given.board.owner.patch(`/api/boards/${given.board.id}/members/${account.id}`, { role: 'editor' })
    expect(raised.status).toBe(200)
    expect(raised.body).toMatchObject({ userId: account.id, role: 'editor' })
    expect((await given.board.owner.delete(`/api/boards/${given.board.id}/members/${account.id}`)).status).toBe(204)
    expect((await given.board.owner.delete(`/api/boards/${given.board.id}/members/${account.id}`)).status).toBe(404)

    const members = await given.board.owner.get<{ userId: string; role: string }[]>(`/api/boards/${given.board.id}/members`)
    const owner = members.body.find((m) => m.role === 'owner')!
    const demote = await given.board.owner.patch(`/api/boards/${given.board.id}/members/${owner.userId}`, { role: 'editor' })
    expect(demote.status).toBe(409)
    expect(errorCode(demote.body)).toBe('last_owner')
  })

  it('lists the audit log for owners, bounded by limit', async () => {
    const log = await given.board.owner.get<unknown[]>(`/api/boards/${given.board.id}/audit?limit=1`)
    expect(log.status).toBe(200)
    expect(log.body).toHaveLength(1)
    expect((await given.board.owner.get(`/api/boards/${given.board.id}/audit?limit=0`)).status).toBe(400)
    expect((await given.board.owner.get(`/api/boards/${given.board.id}/audit?limit=1001`)).status).toBe(400)
  })
})
