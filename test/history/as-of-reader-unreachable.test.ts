/**
 * A worker thread reads a past moment through a PostgreSQL connection of its
 * own (past-log-job.ts). When that database cannot be reached from the
 * thread, the read is answered as the relay's own storage trouble is, `503
 * storage_unavailable` with `Retry-After`, not as a job that failed (`500`):
 * the error's code is sent back from the thread. Here the thread is pointed at
 * a port nothing listens on, as a database gone between two reads would be.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { perTest } from '../helpers/per-test.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { startTestServer } from '../helpers/test-server.ts'
import { typeRows } from '../helpers/typed-rows.ts'

/** A port on this host that nothing listens on: connecting to it is refused at once. */
const NOTHING_LISTENS = 'postgres://postgres@127.0.0.1:1/assay'

function readerUnreachable(storage: Storage): Storage {
  if (storage.pastSource.dialect !== 'postgres') throw new Error('a PostgreSQL storage')
  return { ...storage, pastSource: { ...storage.pastSource, url: NOTHING_LISTENS } }
}

describeUnless(await missingServices('postgres'))('a past moment read where the database is unreachable from the thread', () => {
  const clock = testClock()
  const running = perTest(
    () => startTestServer({ dialect: 'postgres', accounts: true, clock, wrapStorage: readerUnreachable }),
    (server) => server.destroy(),
  )

  it('is answered 503 storage_unavailable with Retry-After', async () => {
    const { token } = await addToken(running, await addAccount(running, { name: 'Olga Owner' }))
    const api = apiClient(running.url, { authorization: `Bearer ${token}` })
    const boardId = await api.createBoard('Typed')
    const typing = new Y.Doc()
    clock.advance(MINUTE)
    await typeRows(running, boardId, typing, 10)
    typing.destroy()
    const past = clock.advance(MINUTE)
    clock.advance(MINUTE)

    const response = await fetch(`${running.url}/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(past)}`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).not.toBeNull()
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('storage_unavailable')
  }, 60_000)
})
