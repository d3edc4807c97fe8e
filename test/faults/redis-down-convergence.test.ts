/**
 * Redis gone for every instance at once (its server killed): two instances on
 * one PostgreSQL keep a board converging for their clients through the update
 * log, stay ready (Redis reported degraded in /readyz and in
 * `assay_redis_connected`), and a member removed on one has their socket on
 * the other closed all the same (the word goes through PostgreSQL); once
 * Redis is back, neither is degraded. Redis gone for one instance alone (a
 * TCP proxy in front of it cut, the other still on Redis): its edits reach the
 * other's clients all the same (it asks the others through PostgreSQL to catch
 * the board up), also once the other's listening connection is ended and
 * listened again, and a hostile request on that channel is dropped. Real
 * instances, a redis-server of the test's own, killed and started again, or
 * the shared Redis behind a proxy, real clients.
 */
import { expect, it } from 'vitest'
import { CATCH_UP_CHANNEL } from '../../server/relay/pg-catch-up-requests.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { instancesAfterEach } from '../helpers/instances.ts'
import { startOwnRedis } from '../helpers/own-redis.ts'
import { onServerDatabase } from '../helpers/server-database.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { redisBack, redisLost, redisReadiness } from '../helpers/redis-status.ts'
import { closeCodes, type TestClient } from '../helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis-server')

/** How long an edit may take to reach the other instance's client, or an instance to notice Redis gone: a bound, not a measurement. */
const DEADLINE_MS = 15_000

describeUnless(missing)('Redis gone for every instance', () => {
  const { start, connect, redisThroughProxy } = instancesAfterEach()

  const redisConnected = async (server: TestServer) => sample(await metricsText(server), 'assay_redis_connected')
  const titlesAt = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((card) => card.title)
  const asBearer = async (server: TestServer, account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${(await addToken(server, account)).token}` })

  it('keeps the board converging across instances through the update log, stays ready with Redis reported degraded, and still closes a removed member’s socket elsewhere', async () => {
    const own = await startOwnRedis()
    try {
      // Background catch-ups often enough for the test to wait on them.
      const env = { REDIS_CATCH_UP_INTERVAL_MS: '300', READINESS_TIMEOUT_MS: '500', METRICS_TOKEN }
      const one = await start({ accounts: true, redisUrl: own.url, env })
      const two = await start({ database: one.database, accounts: true, redisUrl: own.url, env })
      const [owner, editor] = [await addAccount(one), await addAccount(one)]
      const asOwner = await asBearer(one, owner)
      const boardId = await asOwner.createBoard('Redis gone')
      await addMember(one, boardId, editor, 'editor')
      const onOne = connect(one, boardId, { token: (await addToken(one, owner)).token })
      const onTwo = connect(two, boardId, { token: (await addToken(one, editor)).token })
      await Promise.all([onOne.synced(), onTwo.synced()])
      for (const server of [one, two]) await redisBack(server.url, DEADLINE_MS)

      await own.stop()
      for (const server of [one, two]) await redisLost(server.url, DEADLINE_MS)

      addAssessment(onOne.doc, { title: 'Written on one, Redis gone' })
      await waitFor(() => titlesAt(onTwo, boardId).includes('Written on one, Redis gone'), 'the edit on one at two’s client', DEADLINE_MS)
      addAssessment(onTwo.doc, { title: 'Written on two, Redis gone' })
      await waitFor(() => titlesAt(onOne, boardId).includes('Written on two, Redis gone'), 'the edit on two at one’s client', DEADLINE_MS)

      for (const server of [one, two]) {
        expect(await redisReadiness(server.url)).toMatchObject({ status: 200, ready: true, degraded: true })
        expect(await redisConnected(server)).toBe(0)
      }

      const closes = closeCodes(onTwo)
      expect((await asOwner.delete(`/api/boards/${boardId}/members/${editor.id}`)).status).toBe(204)
      await waitFor(() => closes.includes(CLOSE.accessChanged.code), 'the removed member’s socket on two to close', DEADLINE_MS)

      await own.restart()
      for (const server of [one, two]) {
        await waitFor(async () => (await redisConnected(server)) === 1, 'the instance back on Redis', DEADLINE_MS)
        expect(await redisReadiness(server.url)).toMatchObject({ status: 200, ready: true, degraded: false, redis: { status: 'ok' } })
      }
    } finally {
      await own.stop()
    }
  })

  it('has the edits of an instance cut off Redis alone reach the other instance’s clients, asked for through PostgreSQL, and drops a hostile request', async () => {
    const logged: { msg: string; channel?: string }[] = []
    const logSink = (line: string) => void logged.push(JSON.parse(line) as { msg: string; channel?: string })
    const { proxy, redisUrl } = await redisThroughProxy()
    const env = { REDIS_CATCH_UP_INTERVAL_MS: '300', READINESS_TIMEOUT_MS: '500' }
    const cutOff = await start({ accounts: true, redisUrl, env })
    const onRedis = await start({ database: cutOff.database, accounts: true, env, logSink })
    const [owner, editor] = [await addAccount(cutOff), await addAccount(cutOff)]
    const boardId = await (await asBearer(cutOff, owner)).createBoard('Cut off alone')
    await addMember(cutOff, boardId, editor, 'editor')
    const typist = connect(cutOff, boardId, { token: (await addToken(cutOff, owner)).token })
    const member = connect(onRedis, boardId, { token: (await addToken(cutOff, editor)).token })
    await Promise.all([typist.synced(), member.synced()])
    for (const server of [cutOff, onRedis]) await redisBack(server.url, DEADLINE_MS)

    proxy.cut()
    await redisLost(cutOff.url, DEADLINE_MS)
    expect(await redisReadiness(onRedis.url)).toMatchObject({ degraded: false })

    // A request that is not one, and one naming a board id no board has: read as hostile, dropped, nothing else done.
    await onServerDatabase(onRedis, [`select pg_notify('${CATCH_UP_CHANNEL}', '{"boardId":[1]}')`, `select pg_notify('${CATCH_UP_CHANNEL}', '{"from":"x","boardId":"${'b'.repeat(300)}"}')`])
    const dropped = () => logged.filter((line) => line.msg === 'a notification from another instance dropped' && line.channel === CATCH_UP_CHANNEL).length
    await waitFor(() => dropped() === 2, 'both hostile requests dropped', DEADLINE_MS)

    // Two cards in a row: the first told at once, the second gathered and told at the end of the interval.
    addAssessment(typist.doc, { title: 'Typed while cut off, first' })
    addAssessment(typist.doc, { title: 'Typed while cut off, second' })
    await waitFor(() => titlesAt(member, boardId).includes('Typed while cut off, second'), 'the cut-off instance’s edits at the other instance’s client', DEADLINE_MS)
    expect(titlesAt(member, boardId)).toContain('Typed while cut off, first')
    // The other instance's listening connection ended (the database ending sessions): it listens again, and hears the next request.
    const listens = () => logged.filter((line) => line.msg.startsWith('listening to the other instances through PostgreSQL')).length
    const listened = listens()
    await onServerDatabase(onRedis, [`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'assay-listener' and datname = current_database()`])
    await waitFor(() => listens() > listened, 'the other instance to listen again', DEADLINE_MS)
    addAssessment(typist.doc, { title: 'Typed while cut off, after the listen again' })
    await waitFor(() => titlesAt(member, boardId).includes('Typed while cut off, after the listen again'), 'the edit after the listen again at the other instance’s client', DEADLINE_MS)
    // The other way, as before: the cut-off instance's own rounds read the log.
    addAssessment(member.doc, { title: 'Typed on Redis' })
    await waitFor(() => titlesAt(typist, boardId).includes('Typed on Redis'), 'the other instance’s edit at the cut-off one’s client', DEADLINE_MS)
    expect(await redisReadiness(onRedis.url)).toMatchObject({ degraded: false })
  })
})
