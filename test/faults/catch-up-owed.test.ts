/**
 * Catching a board up from the update log, across two instances on one
 * PostgreSQL and Redis: a catch-up that fails (the database away when Redis
 * comes back) is tried again until the board has what it missed, with no
 * reconnection to Redis to ask for it; and a catch-up reads only the log rows
 * after those the board holds, not its whole stored state.
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { databaseUrl, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** How long an instance may take to be back on Redis, or to try a catch-up again (1 s, doubling), once what it needs is back: a bound, not a measurement. */
const BACK_MS = 30_000

const metric = async (server: TestServer, name: string) => sample(await metricsText(server), name) ?? 0

describeUnless(missing)('catching a board up from the update log', () => {
  const { start, connect, throughProxy, redisThroughProxy } = instancesAfterEach()

  /** Until `server`'s room of the board holds `cards` assessments, all committed. */
  const cardsCommitted = (server: TestServer, boardId: string, cards: number) =>
    waitFor(() => {
      const room = server.services.rooms.loadedRooms.get(boardId)
      return room !== undefined && collection(room.doc, 'assessments').size === cards && room.isSaved
    }, `${cards} cards committed`)

  it('tries a failed catch-up again until the board has the edit it missed, with no reconnection to Redis', async () => {
    const one = await start()
    const { proxy: redisProxy, redisUrl } = await redisThroughProxy()
    const { proxy: pgProxy, url: pgUrl } = await throughProxy(databaseUrl(one.database))
    const env = { DATABASE_URL: pgUrl, METRICS_TOKEN, READINESS_TIMEOUT_MS: '500', DATABASE_CONNECT_TIMEOUT_MS: '1000' }
    const two = await start({ database: one.database, redisUrl, env })
    const boardId = await apiClient(one.url).createBoard('Caught up late')
    const onOne = connect(one, boardId)
    const onTwo = connect(two, boardId)
    await Promise.all([onOne.synced(), onTwo.synced()])
    await waitFor(async () => (await apiClient(two.url).get('/readyz')).status === 200, 'instance two ready')
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) >= 1, 'the catch-up that follows the subscription')

    // Instance two's network to Redis and PostgreSQL goes; an edit is committed on one meanwhile.
    redisProxy.cut()
    pgProxy.cut()
    await waitFor(async () => (await apiClient(two.url).get('/readyz')).status === 503, 'instance two not ready')
    addAssessment(onOne.doc, { title: 'Committed while two was cut off' })
    await cardsCommitted(one, boardId, 1)

    // Redis comes back first: two subscribes again and catches up, which fails, the database still away.
    const subscriptions = redisProxy.countRequests(/\r\nsubscribe\r\n/gi)
    redisProxy.restore()
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_owed')) === 1, 'the failed catch-up owed', BACK_MS)
    const subscriptionsBefore = subscriptions()
    expect(subscriptionsBefore).toBeGreaterThan(0)

    pgProxy.restore()
    await waitFor(() => boardToModel(onTwo.doc, boardId).assessments.length === 1, 'the edit at instance two’s client', BACK_MS)
    expect(boardToModel(onTwo.doc, boardId).assessments.map((card) => card.title)).toEqual(['Committed while two was cut off'])
    expect(await metric(two, 'assay_redis_catch_ups_owed')).toBe(0)
    // Tried again on its own: the subscriber never connected afresh (and subscribed again) to ask for it.
    expect(subscriptions()).toBe(subscriptionsBefore)
  })

  it('reads only the log rows after those the board holds', async () => {
    const one = await start({ env: { METRICS_TOKEN } })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, redisUrl, env: { METRICS_TOKEN, READINESS_TIMEOUT_MS: '500' } })
    const boardId = await apiClient(one.url).createBoard('Many rows')
    const writer = connect(one, boardId)
    await writer.synced()
    const rowsBefore = 12
    for (let card = 1; card <= rowsBefore; card++) {
      addAssessment(writer.doc, { title: `Card ${card}` })
      await cardsCommitted(one, boardId, card)
    }

    // Loaded on two after those rows, which its load read: its first catch-up, once subscribed, has nothing more to read.
    const reader = connect(two, boardId)
    await reader.synced()
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) >= 1, 'the catch-up that follows the subscription')
    expect(await metric(two, 'assay_redis_catch_up_rows_total')).toBe(0)
    const catchUpsBefore = await metric(two, 'assay_redis_catch_ups_total')

    proxy.cut()
    await waitFor(async () => (await apiClient(two.url).get('/readyz')).status === 503, 'instance two not ready')
    addAssessment(writer.doc, { title: 'Missed on Redis' })
    await cardsCommitted(one, boardId, rowsBefore + 1)
    proxy.restore()
    await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === rowsBefore + 1, 'the missed edit at instance two’s client', BACK_MS)
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) > catchUpsBefore, 'the catch-up after the reconnection')
    // The one row committed while two was away, not the board's thirteen.
    expect(await metric(two, 'assay_redis_catch_up_rows_total')).toBe(1)
    expect(await metric(two, 'assay_redis_catch_ups_whole_total')).toBe(0)
  })
})
