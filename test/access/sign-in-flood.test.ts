/**
 * An outsider with no account floods the sign-in with unknown emails, each
 * from another IPv6 /64 (behind a proxy, TRUST_PROXY), while the team signs in
 * with the right passwords, trying again when Retry-After says. When every
 * sign-in took a place among the password checks, the flood kept the queue
 * full and no member got in; an unknown email now takes none.
 */
import { afterEach, expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { seededRandom } from '../helpers/seeded-random.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string } }

/** More loops than the queue has places (two in flight, PASSWORD_CHECKS_WAITING waiting): each refused one comes straight back. */
const FLOOD_LOOPS = 16
const QUEUE = { PASSWORD_CHECKS_IN_FLIGHT: '2', PASSWORD_CHECKS_WAITING: '4' }
/** Long enough for ten tries each a second apart; the members get in at their first or second try when the flood takes no place. */
const MEMBERS_DEADLINE_MS = 10_000

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

it('lets the team sign in while an outsider floods the sign-in with unknown emails from many /64s, and answers those as a wrong password', async () => {
  server = await startTestServer({ accounts: true, env: { TRUST_PROXY: '1', ...QUEUE } })
  const running = server
  const members = await Promise.all(Array.from({ length: 5 }, () => addAccount(running)))
  const random = seededRandom(20261204)
  const group = () => random.int(0x10000).toString(16)
  const signInFrom = async (address: string, email: string, password: string) => {
    const answer = await apiClient(running.url, { origin: running.url, 'x-forwarded-for': address }).post<ErrorBody>('/api/auth/login', { email, password })
    return { status: answer.status, code: answer.body.error?.code, retryAfter: answer.headers.get('retry-after') }
  }

  let flooding = true
  const flood = async () => {
    while (flooding) await signInFrom(`2001:db8:${group()}:${group()}::1`, `${group()}${group()}@nowhere.example`, 'a guess')
  }
  const loops = Array.from({ length: FLOOD_LOOPS }, flood)
  try {
    const deadline = Date.now() + MEMBERS_DEADLINE_MS
    const signedIn = await Promise.all(
      members.map(async (member, i) => {
        while (Date.now() < deadline) {
          const answer = await signInFrom(`203.0.113.${10 + i}`, member.email, member.password)
          if (answer.status === 200) return true
          await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter ?? 1) * 1000))
        }
        return false
      }),
    )
    expect(signedIn).toEqual(members.map(() => true))
  } finally {
    flooding = false
    await Promise.all(loops)
  }

  // An unknown email is told what a wrong password is, from an address the counts have not seen.
  const unknown = await signInFrom('198.51.100.7', 'nobody@nowhere.example', 'a guess')
  const wrongPassword = await signInFrom('198.51.100.8', members[0]!.email, 'a guess')
  expect(unknown).toEqual({ status: 401, code: 'invalid_credentials', retryAfter: null })
  expect(wrongPassword).toEqual(unknown)
})
