/**
 * What one request body may cost the server, before any route reads it. JSON
 * is parsed on the event loop, and its cost follows the values a body holds,
 * not its bytes: these bodies held the loop for one to two seconds each
 * before the limits, while every board on the instance waited. Each is sent
 * over a real socket to the real server, and must be refused without changing
 * anything.
 */
import { describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { addAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'

type ErrorBody = { error: { code: string; message: string } }

/** `count` members of one object, none of which any schema knows. */
const unknownKeys = (count: number) => `{${Array.from({ length: count }, (_, i) => `"k${i}":1`).join(',')}}`

describe('request bodies', () => {
  const given = useOwnedBoard({ owner: 'Bo Bodies', board: 'Bodies' })
  const boardPath = () => `/api/boards/${given.boardId}`
  const title = async () => (await given.api.get<BoardModel>(boardPath())).body.title

  it('refuses a sign-in body over 16 KiB before reading it, and the account still signs in', async () => {
    const anyone = apiClient(given.server.url)
    const person = await addAccount(given.server, { name: 'Sid Signin' })
    const nested = '['.repeat(LIMITS.maxBodyBytes / 2 - 8) + ']'.repeat(LIMITS.maxBodyBytes / 2 - 8)
    const refused = await anyone.post<ErrorBody>('/api/auth/login', nested)
    expect(refused.status).toBe(413)
    expect(refused.body.error).toEqual({ code: 'too_large', message: 'The request body is over 16 KiB.' })
    const setup = await anyone.post<ErrorBody>('/api/auth/setup', { email: 'a@example.org', name: 'x'.repeat(LIMITS.maxPublicBodyBytes), password: 'a long enough password' })
    expect(setup.status).toBe(413)

    const signedIn = await apiClient(given.server.url).post('/api/auth/login', { email: person.email, password: person.password })
    expect(signedIn.status).toBe(200)
  })

  it.each([
    ['nests deeper than 32 levels', `{"title":${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}}`],
    ['has an object of more than 1000 keys', unknownKeys(350_000)],
    ['holds more than 100000 values', `{"title":[${'{},'.repeat(1_300_000)}{}]}`],
  ])('refuses a signed-in body that %s, before parsing it, and changes nothing', async (why, body) => {
    expect(body.length).toBeLessThan(LIMITS.maxBodyBytes)
    const refused = await given.api.patch<ErrorBody>(boardPath(), body)
    expect(refused.status).toBe(400)
    expect(refused.body.error).toEqual({ code: 'too_complex', message: `The JSON body ${why}.` })
    expect(await title()).toBe('Bodies')
  })

  it('takes bodies up to each limit', async () => {
    const deepest = `{"title":"Deep","x":${'['.repeat(LIMITS.maxJsonDepth - 1)}${']'.repeat(LIMITS.maxJsonDepth - 1)}}`
    // Past the shape check, the schema names the field it does not know.
    expect((await given.api.patch<ErrorBody>(boardPath(), deepest)).body.error.code).toBe('invalid')
    expect((await given.api.patch<ErrorBody>(boardPath(), unknownKeys(LIMITS.maxJsonKeysPerObject))).body.error.code).toBe('invalid')
    expect((await given.api.patch(boardPath(), { title: 'Still mine' })).status).toBe(200)
    expect(await title()).toBe('Still mine')
  })

  it('names at most ten problems of a body, each in a few hundred characters', async () => {
    const refused = await given.api.patch<ErrorBody>(boardPath(), unknownKeys(LIMITS.maxJsonKeysPerObject))
    expect(refused.status).toBe(400)
    const { message } = refused.body.error
    expect(message).toMatch(/^Invalid json: Unrecognized keys: "k0", "k1", /)
    expect(message.length).toBeLessThan(400)

    const operations = Array.from({ length: 50 }, () => ({ op: 'add', collection: 'claims', input: { text: 1 } }))
    const batch = await given.api.post<ErrorBody>(`${boardPath()}/batch`, { operations })
    expect(batch.status).toBe(400)
    expect(batch.body.error.message.length).toBeLessThan(2_000)
  })
})
