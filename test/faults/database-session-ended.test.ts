/**
 * PostgreSQL ends a session its client left idle in a transaction
 * (idle_in_transaction_session_timeout, SQLSTATE 25P03): here a proxy holds
 * every insert into the update log, as a stalled network would, and the
 * server's own setting ends those sessions. postgres.js hands that FATAL to
 * other queries than the one it ended as well: a request's API token lookup
 * among them. Such a request is answered 503
 * storage_unavailable with Retry-After, as any storage failure is, never 500.
 */
import { rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { createLogger } from '../../server/log.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { apiClient } from '../helpers/api.ts'
import { startProxiedServer } from '../helpers/proxied-server.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { openTestStorage, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Editors at once: more than the pool's connections are busy, so lookups share connections with held inserts. */
const EDITORS = 6
/** Until a session ended under a request is seen: seconds with the mend or without (a loaded machine given room). */
const SEEN_WITHIN_MS = 45_000

describeUnless(postgresMissing)('a session PostgreSQL ends', () => {
  it('is answered 503 storage_unavailable with Retry-After on the API token lookup and elsewhere, never 500', async () => {
    const lines: string[] = []
    const proxied = await startProxiedServer({ accounts: true, env: { DATABASE_STATEMENT_TIMEOUT_MS: '1000', COMMIT_WAIT_MS: '300', LOG_LEVEL: 'warn' }, logSink: (line) => lines.push(line) })
    cleanups.push(() => proxied.destroy())
    const dataDir = tempDir()
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const storage: Storage = await openTestStorage('postgres', dataDir, proxied.server.database)
    cleanups.push(() => storage.close())
    const services = { storage, logger: createLogger('silent') }
    const editors = await Promise.all(
      Array.from({ length: EDITORS }, async (_, index) => {
        const user = await createAccount(services, { email: `editor-${index}-${crypto.randomUUID().slice(0, 8)}@example.org`, name: `Editor ${index}`, password: `pw-${crypto.randomUUID()}`, isAdmin: false })
        if (!user) throw new Error('account not made')
        const api = apiClient(proxied.server.url, { authorization: `Bearer ${(await issueApiToken(services, user.id, 'test')).token}` })
        return { api, boardId: await api.createBoard(`Board ${index}`) }
      }),
    )
    const hold = proxied.proxy.holdRequests(/insert into "board_updates"/i)
    cleanups.push(() => hold.release())

    const answers: { status: number; retryAfter: string | null; code: string | undefined }[] = []
    // A request met a session PostgreSQL ended: answered 503 (with the mend) or 500 (without), each with its log line.
    const sessionEnded = () => answers.some((answer) => answer.status === 500) || lines.some((line) => /"code":"25P03"/.test(line))
    const note = ({ status, headers, body }: { status: number; headers: Headers; body: { error?: { code: string } } }) =>
      answers.push({ status, retryAfter: headers.get('retry-after'), code: body.error?.code })
    const ended = waitFor(sessionEnded, 'a request to meet a session PostgreSQL ended', SEEN_WITHIN_MS)
    let seen = false
    void ended.then(() => (seen = true), () => (seen = true))
    await Promise.all(
      editors.map(async ({ api, boardId }) => {
        while (!seen) {
          note(await api.post<{ error?: { code: string } }>(`/api/boards/${boardId}/assessments`, { title: 'During the stall' }))
          note(await api.get<{ error?: { code: string } }>('/api/boards'))
        }
      }),
    )
    await ended

    expect(answers.filter((answer) => answer.status === 500)).toEqual([])
    expect(lines.filter((line) => /"msg":"unhandled error"/.test(line))).toEqual([])
    const unavailable = answers.filter((answer) => answer.code === 'storage_unavailable')
    expect(unavailable.length).toBeGreaterThan(0)
    for (const answer of unavailable) expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) })
  }, 90_000)
})
