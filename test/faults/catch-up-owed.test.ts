/**
 * Catching a board up from the update log, across two instances on one
 * PostgreSQL and Redis: a catch-up that fails (the database away when Redis
 * comes back) is tried again until the board has what it missed, with no
 * reconnection to Redis to ask for it; and a catch-up reads only the log rows
 * after those the board holds, not its whole stored state, and no more than
 * the stored state, however much was committed while the board was loaded.
 */
import { expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import * as Y from 'yjs'
import { apiClient } from '../helpers/api.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { databaseUrl, type TestServer } from '../helpers/test-server.ts'
import { COMPACT_AFTER_ROWS } from '../../server/relay/compaction.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { redisBack, redisLost } from '../helpers/redis-status.ts'
import type { TestClient } from '../helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis')

/** How long an instance may take to be back on Redis, or to try a catch-up again (1 s, doubling), once what it needs is back: a bound, not a measurement. */
const BACK_MS = 30_000

/** Keystrokes typed, each committed before the next and so a log row of its own: a busy board's few minutes. */
const KEYSTROKES = 1200
/**
 * The deadline of a test that types `KEYSTROKES`, one commit after another: 27 and 37 s alone on this 2-core machine,
 * 90 to 110 s beside a busy loop and another run of them, past the 90 s every test is given. A bound for a test that is
 * getting on, not a measurement; a hang is caught sooner, by the deadline of the wait it hangs in.
 */
const TYPING_TEST_MS = 10 * BACK_MS

/** Background catch-ups often enough for the test to wait on them. */
const CATCH_UP_INTERVAL_MS = '200'
/** Background catch-ups, those of every loaded board while cut off Redis too, past the end of the test. */
const NO_ROUND_DURING_THE_TEST_MS = String(2 * TYPING_TEST_MS)

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
    await redisBack(two.url)
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) >= 1, 'the catch-up that follows the subscription')

    // Instance two's network to Redis and PostgreSQL goes; an edit is committed on one meanwhile.
    redisProxy.cut()
    pgProxy.cut()
    await redisLost(two.url)
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
    await redisLost(two.url)
    addAssessment(writer.doc, { title: 'Missed on Redis' })
    await cardsCommitted(one, boardId, rowsBefore + 1)
    proxy.restore()
    await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === rowsBefore + 1, 'the missed edit at instance two’s client', BACK_MS)
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) > catchUpsBefore, 'the catch-up after the reconnection')
    // The one row committed while two was away, not the board's thirteen.
    expect(await metric(two, 'assay_redis_catch_up_rows_total')).toBe(1)
    expect(await metric(two, 'assay_redis_catch_ups_whole_total')).toBe(0)
  })

  /** The text of the board's one assessment, in `doc`. */
  const judgmentIn = (doc: Y.Doc) => ([...collection(doc, 'assessments').values()][0] as Y.Map<unknown> | undefined)?.get('judgment') as Y.Text | undefined
  const judgment = (client: TestClient) => judgmentIn(client.doc)

  /** `KEYSTROKES` typed into the board's one assessment at `writer`, committed on `server`. */
  const typeKeystrokes = async (server: TestServer, writer: TestClient, boardId: string) => {
    const text = await waitFor(() => judgment(writer), 'the assessment to type into')
    for (let typed = 1; typed <= KEYSTROKES; typed++) {
      text.insert(text.length, String(typed % 10))
      await waitFor(() => {
        const room = server.services.rooms.loadedRooms.get(boardId)
        return room?.isSaved && judgmentIn(room.doc)?.length === typed
      }, `keystroke ${typed} committed`)
    }
  }

  /** Two instances on one board, the second's Redis through a proxy; one assessment on it; a writer on the first and a reader on the second. */
  const twoInstancesOnABoard = async (catchUpIntervalMs = CATCH_UP_INTERVAL_MS) => {
    const env = { METRICS_TOKEN, READINESS_TIMEOUT_MS: '500', REDIS_CATCH_UP_INTERVAL_MS: catchUpIntervalMs }
    const one = await start({ env })
    const { proxy, redisUrl } = await redisThroughProxy()
    const two = await start({ database: one.database, redisUrl, env })
    const boardId = await apiClient(one.url).createBoard('Typed into for long')
    const writer = connect(one, boardId)
    const reader = connect(two, boardId)
    await Promise.all([writer.synced(), reader.synced()])
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) >= 1, 'the catch-up that follows the subscription')
    addAssessment(writer.doc, { title: 'Typed into' })
    await cardsCommitted(one, boardId, 1)
    return { one, two, proxy, boardId, writer, reader }
  }

  /** Until `client` holds the board as `writer` does. */
  const sameBoard = (client: TestClient, writer: TestClient, boardId: string) =>
    waitFor(() => JSON.stringify(boardToModel(client.doc, boardId)) === JSON.stringify(boardToModel(writer.doc, boardId)), 'the same board at both clients', BACK_MS)

  it('keeps up in the background with what a loaded board holds, so a catch-up after a Redis blip reads only what came since', async () => {
    const { one, two, proxy, boardId, writer, reader } = await twoInstancesOnABoard()
    await typeKeystrokes(one, writer, boardId)
    await waitFor(() => judgment(reader)?.length === KEYSTROKES, 'every keystroke at instance two’s client', BACK_MS)
    // Heard over Redis, then a background catch-up: instance two knows it holds every row committed.
    const { completeThrough: committed } = await one.services.storage.log.loadSince(boardId, 0)
    await waitFor(() => (two.services.rooms.loadedRooms.get(boardId)?.completeThrough ?? 0) >= committed, 'every row known held on instance two', BACK_MS)
    const rowsBefore = await metric(two, 'assay_redis_catch_up_rows_total')
    const catchUpsBefore = await metric(two, 'assay_redis_catch_ups_total')

    proxy.cut()
    await redisLost(two.url)
    addAssessment(writer.doc, { title: 'Missed on Redis' })
    await cardsCommitted(one, boardId, 2)
    proxy.restore()
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_total')) > catchUpsBefore, 'the catch-up after the reconnection', BACK_MS)
    await sameBoard(reader, writer, boardId)
    // The one row committed while two was away, not the thousands typed since the board was loaded there.
    expect((await metric(two, 'assay_redis_catch_up_rows_total')) - rowsBefore).toBe(1)
  }, TYPING_TEST_MS)

  it('reads the stored state rather than more rows than it weighs, after an outage long enough to miss thousands', async () => {
    // No background round during the test: one while two is cut off would catch its board up from the log meanwhile.
    const { one, two, proxy, boardId, writer, reader } = await twoInstancesOnABoard(NO_ROUND_DURING_THE_TEST_MS)
    await waitFor(() => judgment(reader), 'the assessment at instance two’s client')
    proxy.cut()
    await redisLost(two.url)
    await typeKeystrokes(one, writer, boardId)
    // Compacted every 500 rows (compaction.ts): the latest checkpoint folds nearly all of them.
    await waitFor(async () => (await one.services.storage.log.count(boardId)) < COMPACT_AFTER_ROWS, 'the rows compacted')
    const rowsBefore = await metric(two, 'assay_redis_catch_up_rows_total')
    proxy.restore()
    await waitFor(async () => (await metric(two, 'assay_redis_catch_ups_whole_total')) === 1, 'the catch-up after the reconnection, of the stored state', BACK_MS)
    await sameBoard(reader, writer, boardId)
    expect(judgment(reader)?.length).toBe(KEYSTROKES)
    // The checkpoint's tail only, not the rows typed while two was away.
    expect((await metric(two, 'assay_redis_catch_up_rows_total')) - rowsBefore).toBeLessThan(COMPACT_AFTER_ROWS)
  }, TYPING_TEST_MS)
})
