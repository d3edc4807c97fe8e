/**
 * An outsider floods the sign-in, each try from another IPv6 /64 (behind a
 * proxy, TRUST_PROXY), while the team signs in with the right passwords,
 * trying again when Retry-After says. When every sign-in took a place among
 * the password checks, a flood of unknown emails kept the queue full and no
 * member got in; an unknown email now takes none. A flood naming one real
 * account's email filled the queue until that account's ceiling of failures;
 * one email now holds one place at a time.
 */
import { afterEach, expect, it } from 'vitest'
import { addAccount, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { seededRandom } from '../helpers/seeded-random.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

type ErrorBody = { error: { code: string } }

/** More loops than the queue has places (two in flight, PASSWORD_CHECKS_WAITING waiting): each refused one comes straight back. */
const FLOOD_LOOPS = 16
const QUEUE = { PASSWORD_CHECKS_IN_FLIGHT: '2', PASSWORD_CHECKS_WAITING: '4' }
/** The members get in at their first or second try when the flood holds at most one place; one more for a slow machine. */
const MOST_TRIES = 3
/** Long enough for ten tries each a second apart. */
const MEMBERS_DEADLINE_MS = 10_000

let server: TestServer | undefined
afterEach(async () => {
  await server?.destroy()
  server = undefined
})

type SignInFrom = (address: string, email: string, password: string) => Promise<{ status: number; code: string | undefined; retryAfter: string | null }>

/**
 * Five members sign in while FLOOD_LOOPS loops sign in from random /64s with
 * the emails `floodEmails` makes (given the server and random hex groups);
 * expects every member in within MOST_TRIES tries.
 */
async function teamSignsInDuringFlood(
  floodEmails: (server: TestServer, group: () => string) => Promise<() => string>,
  env: Record<string, string> = {},
): Promise<{ members: TestAccount[]; signIn: SignInFrom }> {
  server = await startTestServer({ accounts: true, env: { TRUST_PROXY: '1', ...QUEUE, ...env } })
  const running = server
  const members = await Promise.all(Array.from({ length: 5 }, () => addAccount(running)))
  const random = seededRandom(20261204)
  const group = () => random.int(0x10000).toString(16)
  const floodEmail = await floodEmails(running, group)
  const signIn: SignInFrom = async (address, email, password) => {
    const answer = await apiClient(running.url, { origin: running.url, 'x-forwarded-for': address }).post<ErrorBody>('/api/auth/login', { email, password })
    return { status: answer.status, code: answer.body.error?.code, retryAfter: answer.headers.get('retry-after') }
  }

  let flooding = true
  const flood = async () => {
    while (flooding) await signIn(`2001:db8:${group()}:${group()}::1`, floodEmail(), 'a guess')
  }
  const loops = Array.from({ length: FLOOD_LOOPS }, flood)
  try {
    const deadline = Date.now() + MEMBERS_DEADLINE_MS
    const triesToSignIn = await Promise.all(
      members.map(async (member, i) => {
        for (let tries = 1; Date.now() < deadline; tries++) {
          const answer = await signIn(`203.0.113.${10 + i}`, member.email, member.password)
          if (answer.status === 200) return tries
          await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter ?? 1) * 1000))
        }
        return Infinity
      }),
    )
    for (const tries of triesToSignIn) expect(tries).toBeLessThanOrEqual(MOST_TRIES)
  } finally {
    flooding = false
    await Promise.all(loops)
  }
  return { members, signIn }
}

it('lets the team sign in while an outsider floods the sign-in with unknown emails from many /64s, and answers those as a wrong password', async () => {
  const { members, signIn: signInFrom } = await teamSignsInDuringFlood(async (_server, group) => () => `${group()}${group()}@nowhere.example`)

  // An unknown email is told what a wrong password is, from an address the counts have not seen.
  const unknown = await signInFrom('198.51.100.7', 'nobody@nowhere.example', 'a guess')
  const wrongPassword = await signInFrom('198.51.100.8', members[0]!.email, 'a guess')
  expect(unknown).toEqual({ status: 401, code: 'invalid_credentials', retryAfter: null })
  expect(wrongPassword).toEqual(unknown)
})

it("lets the team sign in while an outsider floods the sign-in naming one real account's email from many /64s", async () => {
  // A ceiling of failures the flood does not reach in the test's seconds, as with a large team's setting.
  const highCeiling = { SIGN_IN_FAILURES_PER_ACCOUNT: '100000' }
  await teamSignsInDuringFlood(async (running) => {
    const target = await addAccount(running)
    return () => target.email
  }, highCeiling)
})
