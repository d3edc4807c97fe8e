/**
 * The hourly allowances behind a load balancer: two instances on one
 * PostgreSQL and one Redis count a person's boards, reads of a board as of a
 * past time (and every other allowance) in one bucket, so a person sending requests to both at once gets
 * no more than from one (worker time spent on one instance is spent on the
 * other); while an instance cannot reach Redis, or Redis stops
 * answering it, it counts in its own memory and goes on answering.
 */
import { afterEach, expect, it } from 'vitest'
import { addAccount, addToken, signIn, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { LIMITS } from '../../shared/limits.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { REDIS_URL, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { wordsText } from '../helpers/large-inputs.ts'

const missing = await missingServices('postgres', 'redis')

describeUnless(missing)('hourly allowances shared through Redis', () => {
  const servers: TestServer[] = []
  const proxies: TcpProxy[] = []
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close()
    // The first server created the shared database and drops it, so it goes last.
    for (const server of servers.splice(0).reverse()) await server.destroy()
  })

  /** Two instances on one database, the second reaching Redis through a proxy the test can cut; `settings` adds to both's. */
  const twoInstances = async (settings: Record<string, string> = {}) => {
    // Their own key prefix: other test runs on this Redis count apart.
    const countsKeyPrefix = `assay-test:${crypto.randomUUID()}`
    // The smallest bytes of snapshots: one snapshot of a board holding two longest judgments (some 40 KB) fits, a second does not.
    const env = { BOARDS_PER_HOUR_PER_PERSON: '3', EXPORTS_PER_HOUR_PER_PERSON: '3', SNAPSHOT_BYTES_PER_HOUR_PER_PERSON: '65536', ...settings }
    const one = await startTestServer({ dialect: 'postgres', accounts: true, countsKeyPrefix, env: { ...env, REDIS_URL } })
    servers.push(one)
    const proxy = await startTcpProxy({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) })
    proxies.push(proxy)
    const throughProxy = new URL(REDIS_URL)
    throughProxy.hostname = '127.0.0.1'
    throughProxy.port = String(proxy.port)
    const two = await startTestServer({ dialect: 'postgres', database: one.database, accounts: true, countsKeyPrefix, env: { ...env, REDIS_URL: throughProxy.toString() } })
    servers.push(two)
    await waitFor(() => one.services.signInThrottle.shared && two.services.signInThrottle.shared, 'both instances counting in Redis')
    return { one, two, proxy }
  }
  const createBoards = async (instances: TestServer[], account: TestAccount, count: number) => {
    const token = (await addToken(instances[0]!, account)).token
    return Promise.all(
      Array.from({ length: count }, (_, i) => apiClient(instances[i % instances.length]!.url, { authorization: `Bearer ${token}` }).post('/api/boards', { title: `Board ${i}` })),
    )
  }
  const statuses = (answers: { status: number }[]) => answers.map(({ status }) => status).sort()

  it('gives a person sending to two instances at once no more than one would give', async () => {
    const { one, two } = await twoInstances()
    const eager = await addAccount(one, { name: 'Eve Eager' })
    expect(statuses(await createBoards([one, two], eager, 8))).toEqual([201, 201, 201, 429, 429, 429, 429, 429])
    const boards = await apiClient(two.url, { authorization: `Bearer ${(await addToken(two, eager)).token}` }).get<unknown[]>('/api/boards')
    expect(boards.body).toHaveLength(3)
    // Each allowance is a bucket of its own: the boards spent leave the exports whole.
    const exporter = apiClient(one.url, { authorization: `Bearer ${(await addToken(one, eager)).token}` })
    const board = (boards.body[0] as { id: string }).id
    for (let i = 0; i < 3; i++) expect((await exporter.get(`/api/boards/${board}/export?format=md`)).status).toBe(200)
    expect((await exporter.get(`/api/boards/${board}/export?format=md`)).status).toBe(429)
  })

  it('counts the bytes of a person’s snapshots in one bucket, an amount at a time', async () => {
    const { one, two } = await twoInstances()
    const eager = await addAccount(one, { name: 'Eve Eager' })
    const token = (await addToken(one, eager)).token
    const [first, second] = [one, two].map((instance) => apiClient(instance.url, { authorization: `Bearer ${token}` }))
    const board = (await first!.post<{ id: string }>('/api/boards', { title: 'Snapshotted' })).body.id
    for (const title of ['First long judgment', 'Second long judgment']) {
      expect((await first!.post(`/api/boards/${board}/assessments`, { title, judgment: 'j'.repeat(LIMITS.longText) })).status).toBe(201)
    }
    expect((await first!.post(`/api/boards/${board}/snapshots`, { label: 'On the first' })).status).toBe(201)
    const refused = await second!.post<{ error: { code: string } }>(`/api/boards/${board}/snapshots`, { label: 'On the second' })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('snapshot_bytes_spent')
  })

  it('counts a person’s reads of the board as of a past time in one bucket, whichever instance answers', async () => {
    const { one, two } = await twoInstances({ AS_OF_READS_PER_HOUR_PER_PERSON: '3' })
    const reader = await addAccount(one, { name: 'Rex Reader' })
    const token = (await addToken(one, reader)).token
    const [onOne, onTwo] = [one, two].map((instance) => apiClient(instance.url, { authorization: `Bearer ${token}` }))
    const board = await onOne!.createBoard('Read in the past')
    const asOf = encodeURIComponent(new Date().toISOString())
    // One after another, each instance in turn: counted apart, each would answer all three of its own.
    const answered: number[] = []
    for (let i = 0; i < 6; i++) answered.push((await (i % 2 === 0 ? onOne! : onTwo!).get(`/api/boards/${board}${i % 3 === 0 ? '' : '/history/state'}?asOf=${asOf}`)).status)
    expect(answered).toEqual([200, 200, 200, 429, 429, 429])
  })

  it('charges the worker time a job took on one instance to the person on every instance', async () => {
    // An export overrunning 1.5 s spends more than the second a person has.
    const { one, two } = await twoInstances({ EXPORT_TIME_BUDGET_MS: '1500', WORKER_SECONDS_PER_HOUR_PER_PERSON: '1', EXPORTS_PER_HOUR_PER_PERSON: '10' })
    const hog = await addAccount(one, { name: 'Hal Hog' })
    const token = (await addToken(one, hog)).token
    const [onOne, onTwo] = [one, two].map((instance) => apiClient(instance.url, { authorization: `Bearer ${token}` }))
    const board = await onOne!.createBoard('Heavy')
    const operations = Array.from({ length: 60 }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${i}`, judgment: wordsText(20_000, i) } }))
    expect((await onOne!.post(`/api/boards/${board}/batch`, { operations })).status).toBe(200)
    expect((await onOne!.get(`/api/boards/${board}/export?format=pdf`)).status).toBe(422)
    const refused = await onTwo!.get<{ error: { code: string } }>(`/api/boards/${board}/export?format=md`)
    expect([refused.status, refused.body.error.code]).toEqual([429, 'worker_time_spent'])
  })

  it('counts in memory on an instance cut off Redis, and goes on answering', async () => {
    const { one, two, proxy } = await twoInstances()
    proxy.cut()
    await waitFor(() => !two.services.signInThrottle.shared, 'the second instance to lose Redis')
    const eager = await addAccount(one, { name: 'Eve Eager' })
    expect(statuses(await createBoards([two], eager, 5))).toEqual([201, 201, 201, 429, 429])
    proxy.restore()
    await waitFor(() => two.services.signInThrottle.shared, 'the second instance back on Redis')
    // Back on Redis, the shared bucket (untouched meanwhile) counts again, for both.
    expect(statuses(await createBoards([one, two], eager, 4))).toEqual([201, 201, 201, 429])
  })

  it('counts in memory on an instance whose Redis stops answering, instead of waiting for it', async () => {
    const { one, two, proxy } = await twoInstances()
    const eager = await addAccount(one, { name: 'Eve Eager' })
    // Connections held open, nothing forwarded: Redis still looks connected, and a count sent to it would wait for ever.
    proxy.blackhole()
    expect(statuses(await createBoards([two], eager, 4))).toEqual([201, 201, 201, 429])
    // The sign-in counts go through the same connection.
    await signIn(two, eager)
  })
})
