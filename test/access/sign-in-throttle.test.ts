/**
 * The sign-in counts under attack: parallel guesses cannot slip past them, a
 * guesser at one address cannot lock the owner out from another, and several
 * instances count together through Redis. Addresses are real: each request
 * leaves from its own loopback address (127.0.0.x) and the server reads the
 * socket's peer.
 */
import { request } from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addAccount, type TestAccount } from '../helpers/accounts.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

type Answer = { status: number; retryAfter: number | null }

/** POST /api/auth/login from `address`, a loopback address of this machine. */
function signInFrom(server: TestServer, address: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = JSON.stringify({ email, password })
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/api/auth/login',
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] ? Number(response.headers['retry-after']) : null }))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const statusCounts = (answers: Answer[]) => {
  const counts: Record<number, number> = {}
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

/** Each server's log lines, to count the passwords it actually checked ("sign-in failed" is logged after the check). */
class LogLines {
  readonly lines: string[] = []
  readonly sink = (line: string) => void this.lines.push(line)
  count(message: string): number {
    return this.lines.filter((line) => (JSON.parse(line) as { msg: string }).msg === message).length
  }
}

/**
 * The counts alone: these tests send their guesses at once, and the bounds on
 * passwords checked at once and on those one email holds
 * (test/access/password-checks.test.ts, sign-in-flood.test.ts) would refuse
 * most of them 503 before they are counted.
 */
const COUNTS_ALONE = { PASSWORD_CHECKS_IN_FLIGHT: '1000', PASSWORD_CHECKS_PER_EMAIL: '1000' }

describe('sign-in counts under attack', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.destroy()
  })
  const start = async (env: Record<string, string> = {}, logs = new LogLines()) => {
    const server = await startTestServer({ accounts: true, logSink: logs.sink, env: { ...COUNTS_ALONE, ...env } })
    servers.push(server)
    return { server, logs }
  }

  it('checks at most 5 of 100 parallel wrong passwords, and the owner signs in from elsewhere at once', async () => {
    const { server, logs } = await start()
    const owner = await addAccount(server, { name: 'Olga Owner' })
    const guesses = await Promise.all(Array.from({ length: 100 }, (_, i) => signInFrom(server, '127.0.0.2', owner.email, `guess ${i}`)))
    expect(statusCounts(guesses)).toEqual({ 401: 5, 429: 95 })
    expect(logs.count('sign-in failed')).toBe(5)
    expect(guesses.filter((answer) => answer.status === 429).every((answer) => answer.retryAfter! > 0 && answer.retryAfter! <= 900)).toBe(true)

    // Even the right password is not checked from the guessing address until its window ends...
    expect((await signInFrom(server, '127.0.0.2', owner.email, owner.password)).status).toBe(429)
    // ...but the owner elsewhere, and other people at that address, are not locked out.
    expect((await signInFrom(server, '127.0.0.3', owner.email, owner.password)).status).toBe(200)
    const colleague = await addAccount(server)
    expect((await signInFrom(server, '127.0.0.2', colleague.email, colleague.password)).status).toBe(200)
    expect(logs.count('sign-in failed')).toBe(5)
  })

  it('spreads no lock-out over many addresses below the ceiling; the ceiling stops a spread-out attack', async () => {
    const { server, logs } = await start({ SIGN_IN_FAILURES_PER_ACCOUNT: '12' })
    const owner = await addAccount(server)
    const guessFrom = (address: string) => Promise.all(Array.from({ length: 10 }, (_, i) => signInFrom(server, address, owner.email, `guess ${i}`)))
    const first = await Promise.all(['127.0.1.1', '127.0.1.2'].map(guessFrom))
    expect(statusCounts(first.flat())).toEqual({ 401: 10, 429: 10 })
    expect((await signInFrom(server, '127.0.1.9', owner.email, owner.password)).status).toBe(200)

    // A third address takes the account to its ceiling (12 failures from everywhere): then nobody gets a check.
    const third = await guessFrom('127.0.1.3')
    expect(statusCounts(third)).toEqual({ 401: 2, 429: 8 })
    expect(logs.count('sign-in failed')).toBe(12)
    const refused = await signInFrom(server, '127.0.1.9', owner.email, owner.password)
    expect(refused.status).toBe(429)
    expect(logs.lines.some((line) => line.includes('"limit":"account"'))).toBe(true)
  })

  it('forgives an address its failures on an account once the right password comes, and forgets them after the window', async () => {
    const { server } = await start({ SIGN_IN_WINDOW_SECONDS: '60' })
    const person: TestAccount = await addAccount(server)
    const attempt = (password: string) => signInFrom(server, '127.0.2.1', person.email, password)
    for (let i = 0; i < 4; i++) expect((await attempt(`typo ${i}`)).status).toBe(401)
    expect((await attempt(person.password)).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await attempt(`again ${i}`)).status).toBe(401)
    const refused = await attempt(person.password)
    expect(refused.status).toBe(429)
    expect(refused.retryAfter).toBeGreaterThan(0)
    expect(refused.retryAfter).toBeLessThanOrEqual(60)
    // The window is what is under test: the clock (the server runs in this process) moves on exactly as long as the server asked.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const refusedAt = Date.now()
      // Retry-After is rounded up to whole seconds: a second short of it, the window is still open.
      vi.setSystemTime(refusedAt + (refused.retryAfter! - 1) * 1000)
      expect((await attempt(person.password)).status).toBe(429)
      vi.setSystemTime(refusedAt + refused.retryAfter! * 1000)
      expect((await attempt(person.password)).status).toBe(200)
    } finally {
      vi.useRealTimers()
    }
  })

  it('behind a trusted proxy, counts the address the proxy saw, not what the client wrote before it', async () => {
    const { server } = await start({ TRUST_PROXY: '1' })
    const owner = await addAccount(server)
    // Every request comes from the proxy's address; the proxy appends the peer it saw.
    const viaProxy = (seenByProxy: string, password: string, written = '') =>
      signInFrom(server, '127.0.4.1', owner.email, password, { 'x-forwarded-for': written ? `${written}, ${seenByProxy}` : seenByProxy })
    for (let i = 0; i < 5; i++) expect((await viaProxy('198.51.100.7', `guess ${i}`)).status).toBe(401)
    expect((await viaProxy('198.51.100.7', 'guess again', '203.0.113.99')).status).toBe(429)
    expect((await viaProxy('203.0.113.5', owner.password)).status).toBe(200)
  })

  it('behind a trusted proxy, counts an IPv6 address by its /64: a host going through the addresses of its network is one address', async () => {
    const { server, logs } = await start({ TRUST_PROXY: '1' })
    const owner = await addAccount(server)
    const fromNetwork = (host: number, email: string, password: string) =>
      signInFrom(server, '127.0.5.1', email, password, { 'x-forwarded-for': `2001:db8:1:2::${host.toString(16)}` })
    // 21 addresses of one /64, 5 guesses each, would spend the account's ceiling (100) were each address counted apart.
    const guesses: Answer[] = []
    for (let host = 1; host <= 21; host++) for (let i = 0; i < 5; i++) guesses.push(await fromNetwork(host, owner.email, `guess ${host}-${i}`))
    expect(statusCounts(guesses)).toEqual({ 401: 5, 429: 100 })
    expect((await signInFrom(server, '127.0.5.1', owner.email, owner.password, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200)
    // Guessing other accounts, the /64 has what is left of its 20 failures per address.
    const others = [await addAccount(server), await addAccount(server), await addAccount(server)]
    const spray: Answer[] = []
    for (let host = 100; host < 110; host++) for (const other of others) spray.push(await fromNetwork(host, other.email, 'guess'))
    expect(statusCounts(spray)).toEqual({ 401: 15, 429: 15 })
    expect(logs.count('sign-in failed')).toBe(20)
  })

  it('holds a bounded number of counts while unknown emails flood in from new /64s, and the flood neither unlocks an account at its ceiling nor locks anyone else out', async () => {
    const kept = 300
    const { server, logs } = await start({ TRUST_PROXY: '1', METRICS_TOKEN, SIGN_IN_COUNTS_IN_MEMORY: String(kept), SIGN_IN_FAILURES_PER_ACCOUNT: '12' })
    const forwardedFrom = (seen: string, email: string, password: string) => signInFrom(server, '127.0.6.1', email, password, { 'x-forwarded-for': seen })
    const owner = await addAccount(server)
    const colleague = await addAccount(server)
    // Three /64s take the owner's account to its ceiling of 12 failures.
    const guesses: Answer[] = []
    for (let network = 1; network <= 3; network++) for (let i = 0; i < 5; i++) guesses.push(await forwardedFrom(`2001:db8:aa:${network}::1`, owner.email, `guess ${i}`))
    expect(statusCounts(guesses)).toEqual({ 401: 12, 429: 3 })
    expect((await forwardedFrom('2001:db8:aa:9::1', owner.email, owner.password)).status).toBe(429)

    // Each failure names a new email from a new /64: three new counts each, ten times what the memory holds.
    const flood: Answer[] = []
    for (let batch = 0; batch < 20; batch++) {
      const sent = Array.from({ length: 50 }, (_, i) => batch * 50 + i)
      flood.push(...(await Promise.all(sent.map((n) => forwardedFrom(`2001:db8:bb:${n.toString(16)}::1`, `nobody-${n}@nowhere.example`, 'a guess')))))
    }
    expect(statusCounts(flood)).toEqual({ 401: 1000 })
    const metrics = await metricsText(server)
    expect(sample(metrics, 'assay_sign_in_counts', { store: 'others' })).toBeLessThanOrEqual(kept)
    expect(sample(metrics, 'assay_sign_in_counts', { store: 'accounts' })).toBe(1)

    // The owner's ceiling was not pushed out: nobody's password is checked on that account until its window ends...
    expect((await forwardedFrom('2001:db8:aa:9::1', owner.email, owner.password)).status).toBe(429)
    expect(logs.count('sign-in failed')).toBe(12 + 1000)
    // ...while the colleague, from an address of their own, signs in.
    expect((await forwardedFrom('198.51.100.20', colleague.email, colleague.password)).status).toBe(200)
  })

  it('answers an unknown email at its ceiling as it answers an account at its ceiling, even after a flood pushed out the counts it could', async () => {
    const { server } = await start({ TRUST_PROXY: '1', SIGN_IN_COUNTS_IN_MEMORY: '100', SIGN_IN_FAILURES_PER_ACCOUNT: '3' })
    const forwardedFrom = (seen: string, email: string) => signInFrom(server, '127.0.7.1', email, 'a wrong guess', { 'x-forwarded-for': seen })
    const owner = await addAccount(server)
    const emails = [owner.email, 'nobody-here@nowhere.example']
    // Each email to its ceiling of 3 failures, from addresses of its own: the same answers for both.
    for (const [n, email] of emails.entries()) {
      const answers: Answer[] = []
      for (let i = 1; i <= 4; i++) answers.push(await forwardedFrom(`198.51.100.${n * 10 + i}`, email))
      expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429])
    }
    // Unknown emails from new /64s, each adding new counts: several times the 100 the store holds.
    const flood: Answer[] = []
    for (let batch = 0; batch < 4; batch++) {
      const sent = Array.from({ length: 50 }, (_, i) => batch * 50 + i)
      flood.push(...(await Promise.all(sent.map((n) => forwardedFrom(`2001:db8:cc:${n.toString(16)}::1`, `flood-${n}@nowhere.example`)))))
    }
    expect(statusCounts(flood)).toEqual({ 401: 200 })
    // From a new address, both are still at their ceiling, and told alike when to come back.
    const probes = await Promise.all(emails.map((email) => forwardedFrom('203.0.113.77', email)))
    expect(probes.map((probe) => probe.status)).toEqual([429, 429])
    const [ofAccount, ofUnknown] = probes.map((probe) => probe.retryAfter!)
    expect(ofAccount).toBeGreaterThan(0)
    expect(ofAccount).toBeLessThanOrEqual(900)
    // Their windows opened a few requests apart: rounded up to seconds, a second apart at most.
    expect(Math.abs(ofAccount! - ofUnknown!)).toBeLessThanOrEqual(1)
  })
})

const redisMissing = await missingServices('redis')

describeUnless(redisMissing)('sign-in counts shared through Redis', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.destroy()
  })

  it('lets two instances together check no more than one would', async () => {
    // Their own key prefix: other test runs on this Redis count apart.
    const countsKeyPrefix = `assay-test:${crypto.randomUUID()}`
    const logs = [new LogLines(), new LogLines()]
    for (const log of logs) servers.push(await startTestServer({ accounts: true, logSink: log.sink, env: { ...COUNTS_ALONE, REDIS_URL }, countsKeyPrefix }))
    const [one, two] = servers as [TestServer, TestServer]
    await waitFor(() => one.services.signInThrottle.shared && two.services.signInThrottle.shared, 'both instances counting in Redis')
    // The same account on both (each has a SQLite file of its own): the counts are keyed by what is typed.
    const owner = await addAccount(one, { email: `owner-${crypto.randomUUID().slice(0, 8)}@example.org`, password: 'the owner’s own password' })
    await addAccount(two, { email: owner.email, password: owner.password })

    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signInFrom(i % 2 === 0 ? one : two, '127.0.3.1', owner.email, `guess ${i}`)),
    )
    expect(statusCounts(guesses)).toEqual({ 401: 5, 429: 55 })
    expect(logs[0]!.count('sign-in failed') + logs[1]!.count('sign-in failed')).toBe(5)
    for (const server of [one, two]) expect((await signInFrom(server, '127.0.3.1', owner.email, owner.password)).status).toBe(429)
    for (const server of [one, two]) expect((await signInFrom(server, '127.0.3.2', owner.email, owner.password)).status).toBe(200)
  })
})
