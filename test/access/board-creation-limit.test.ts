/**
 * Boards one person may create: a burst of BOARDS_PER_HOUR_PER_PERSON, then
 * that many an hour. One account made 3,000 boards in ten seconds, after which
 * every board list held the event loop a third of a second. Another person is
 * not affected, and the admin is not counted.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { addAccount, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string; message: string } }

let server: TestServer

beforeEach(async () => {
  server = await startTestServer({ accounts: true, env: { BOARDS_PER_HOUR_PER_PERSON: '3' } })
})

afterEach(async () => {
  await server.destroy()
})

const as = async (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })
const create = (api: Awaited<ReturnType<typeof as>>, title: string) => api.post<{ id: string } & ErrorBody>('/api/boards', { title })

it('refuses a person’s board past the limit with 429 and Retry-After, and creates nothing; others carry on', async () => {
  const eager = await as(await addAccount(server, { name: 'Eve Eager' }))
  for (let i = 1; i <= 3; i++) expect((await create(eager, `Board ${i}`)).status).toBe(201)
  const refused = await create(eager, 'Board 4')
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1200')
  expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'You have created as many boards as you may for now. Try again in 1200 s.' })
  expect((await eager.get<{ title: string }[]>('/api/boards')).body.map((board) => board.title)).toEqual(['Board 1', 'Board 2', 'Board 3'])

  const other = await as(await addAccount(server, { name: 'Otto Other' }))
  expect((await create(other, 'Mine')).status).toBe(201)
  const admin = await as(await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
  for (let i = 1; i <= 4; i++) expect((await create(admin, `Admin's ${i}`)).status).toBe(201)
})
