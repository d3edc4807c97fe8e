/**
 * A person who can open BOARDS_MAX_PER_PERSON boards creates no more: every
 * board list of theirs walks each board they can open (3,000 boards list in
 * some 45 ms of the relay's thread), and the hourly allowance of boards only
 * slows their growth.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string; message: string } }

let server: TestServer

beforeEach(async () => {
  server = await startTestServer({ accounts: true, env: { BOARDS_MAX_PER_PERSON: '3', SNAPSHOT_INTERVAL_MINUTES: '0' } })
})

afterEach(async () => {
  await server.destroy()
})

const as = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })

it('refuses a board to a person who can open as many as one may, counting boards they were added to', async () => {
  const eve = await addAccount(server, { name: 'Eve Eager' })
  const asEve = await as(eve)
  const other = await as(await addAccount(server, { name: 'Otto Other' }))
  for (const title of ['Eve 1', 'Eve 2']) expect((await asEve.post('/api/boards', { title })).status).toBe(201)
  const othersBoard = (await other.post<{ id: string }>('/api/boards', { title: 'Otto’s' })).body.id
  await addMember(server, othersBoard, eve, 'reviewer')

  const refused = await asEve.post<ErrorBody>('/api/boards', { title: 'Eve 3' })
  expect(refused.status).toBe(409)
  expect(refused.body.error).toEqual({
    code: 'too_many_boards',
    message:
      'You can open 3 boards, as many as one person may (BOARDS_MAX_PER_PERSON): no board was created. The admin can delete boards no longer needed, and owners can remove you from theirs.',
  })
  expect((await asEve.get<{ title: string }[]>('/api/boards')).body.map((board) => board.title).sort()).toEqual(['Eve 1', 'Eve 2', 'Otto’s'])

  // Removed from a board, she may create one again; others and the admin are not held back by her.
  expect((await other.delete(`/api/boards/${othersBoard}/members/${eve.id}`)).status).toBe(204)
  expect((await asEve.post('/api/boards', { title: 'Eve 3' })).status).toBe(201)
  expect((await other.post('/api/boards', { title: 'Otto’s second' })).status).toBe(201)
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 1; i <= 4; i++) expect((await admin.post('/api/boards', { title: `Admin's ${i}` })).status).toBe(201)
})
