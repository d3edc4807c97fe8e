/**
 * GET /metrics: never open by default, protected by a token or on a port of
 * its own, and its figures match known traffic from real clients.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../server/config.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { boardToModel } from '../shared/board-convert.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken, upgradeStatus } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { METRICS_TOKEN, sample } from './helpers/prometheus-text.ts'
import { openRawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { REDIS_URL, startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from './helpers/yjs-client.ts'


describe('metrics', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.destroy()
  })
  const connect = clientsDestroyedAfterEach()
  const start = async (env: Record<string, string> = {}) => {
    const server = await startTestServer({ accounts: true, env })
    servers.push(server)
    return server
  }

  it('are off unless configured: /metrics is a 404, not the app', async () => {
    const server = await start()
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } })
    expect(server.metricsUrl).toBeUndefined()
    // Nothing is counted where nothing is served: prom-client is not even loaded.
    expect(server.services.metrics).toBeUndefined()
  })

  it('refuse a guessable token and a metrics port that is the main one', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/)
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(ConfigError)
  })

  it('with METRICS_TOKEN, answer only to that bearer token', async () => {
    const server = await start({ METRICS_TOKEN })
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401)
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await response.text()
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'assay_storage_available')).toBe(1)
  })

  it('with METRICS_PORT, are served on that port only', async () => {
    const server = await start({ METRICS_PORT: '0' })
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.metricsUrl).not.toBe(server.url)
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404)
    const response = await fetch(`${server.metricsUrl}/metrics`)
    expect(response.status).toBe(200)
    expect(sample(await response.text(), 'assay_rooms')).toBe(0)
  })

  it('count known traffic: connections by role, rooms, requests, updates received and committed, commits, bytes relayed, closes', async () => {
    const server = await start({ METRICS_TOKEN })
    const scrape = async () => (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
    const owner = await addAccount(server)
    const reviewer = await addAccount(server)
    const outsider = await addAccount(server)
    const ownerToken = (await addToken(server, owner)).token
    const boardId = await apiClient(server.url, { authorization: `Bearer ${ownerToken}` }).createBoard('Counted')
    await addMember(server, boardId, reviewer, 'reviewer')

    const writer = connect(server.wsUrl, boardId, { token: ownerToken })
    const reader = connect(server.wsUrl, boardId, { token: (await addToken(server, reviewer)).token })
    await Promise.all([writer.synced(), reader.synced()])
    expect(await upgradeStatus(`${server.wsUrl}/${boardId}?token=${(await addToken(server, outsider)).token}`)).toBe(404)

    // Counters are compared before and after, so that what the board's creation and the sync did does not count.
    const before = await scrape()
    const assessmentId = addAssessment(writer.doc, { title: 'Counted', judgment: '' })
    const edits = 12
    for (let i = 0; i < edits; i++) assessmentText(writer.doc, assessmentId, 'judgment').insert(i, 'x')
    await waitFor(() => boardToModel(reader.doc, boardId).assessments[0]?.judgment.length === edits, 'every edit at the reviewer')
    // A text frame is not the protocol: the server closes that socket with 4400.
    const rogue = await openRawSocket(`${server.wsUrl}/${boardId}?token=${ownerToken}`)
    rogue.socket.send('not a y-protocols frame')
    expect((await rogue.closed).code).toBe(CLOSE.malformedMessage.code)
    // An export is a worker job: timed by kind and outcome.
    expect((await apiClient(server.url, { authorization: `Bearer ${ownerToken}` }).get(`/api/boards/${boardId}/export?format=md`)).status).toBe(200)

    const text = await scrape()
    expect(sample(text, 'assay_rooms')).toBe(1)
    expect(sample(text, 'assay_connections', { role: 'owner' })).toBe(1)
    expect(sample(text, 'assay_connections', { role: 'reviewer' })).toBe(1)
    expect(sample(text, 'assay_connections', { role: 'editor' })).toBe(0)
    expect(sample(text, 'assay_http_requests_total', { method: 'POST', route: '/api/boards', status: '201' })).toBe(1)
    expect(sample(text, 'assay_http_requests_total', { method: 'GET', route: '/ws/:boardId', status: '404' })).toBe(1)
    expect(sample(text, 'assay_http_requests_total', { method: 'GET', route: '/ws/:boardId', status: '101' })).toBe(3)
    const grew = (name: string, labels?: Record<string, string>) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0)
    // The assessment and each keystroke: one update each, received from the writer and committed.
    expect(grew('assay_updates_received_total')).toBe(edits + 1)
    expect(grew('assay_updates_committed_total')).toBe(edits + 1)
    // Commits group what arrived together: at least one, at most one per update, each timed.
    expect(grew('assay_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(grew('assay_commit_duration_seconds_count')).toBeLessThanOrEqual(edits + 1)
    expect(grew('assay_commit_failures_total')).toBe(0)
    // Each commit went out as one frame to both connections (the writer's echo and the reviewer): type, sync type, length and an update of 2 bytes at least.
    expect(grew('assay_relayed_bytes_total')).toBeGreaterThanOrEqual(2 * grew('assay_commit_duration_seconds_count') * 5)
    expect(grew('assay_connection_closes_total', { code: String(CLOSE.malformedMessage.code) })).toBe(1)
    expect(sample(text, 'assay_boards_commit_failing')).toBe(0)
    expect(grew('assay_worker_job_duration_seconds_count', { job: 'export-board', outcome: 'done' })).toBe(1)
    expect(sample(text, 'assay_worker_job_duration_seconds_sum', { job: 'export-board', outcome: 'done' })).toBeGreaterThan(0)
    expect(sample(text, 'assay_worker_jobs_queued')).toBe(0)
    expect(sample(text, 'assay_worker_jobs_running')).toBe(0)
    // The export's thread stays in case more work comes, with the heap it reported.
    expect(sample(text, 'assay_worker_threads')).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'assay_worker_heap_bytes')).toBeGreaterThan(1024 * 1024)
  })
})

describeUnless(await missingServices('postgres', 'redis'))('metrics of several instances', () => {
  const servers: TestServer[] = []
  afterEach(async () => {
    // The first server created the shared database and drops it, so it goes last.
    for (const server of servers.splice(0).reverse()) await server.destroy()
  })
  const connect = clientsDestroyedAfterEach()

  it('count what one instance publishes through Redis, what the other receives, and its catch-ups', async () => {
    const one = await startTestServer({ dialect: 'postgres', env: { REDIS_URL, METRICS_TOKEN } })
    servers.push(one)
    const two = await startTestServer({ dialect: 'postgres', database: one.database, env: { REDIS_URL, METRICS_TOKEN } })
    servers.push(two)
    const scrape = async (server: TestServer) => (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()
    const boardId = await apiClient(one.url).createBoard('Across')
    const writer = connect(one.wsUrl, boardId)
    const reader = connect(two.wsUrl, boardId)
    await Promise.all([writer.synced(), reader.synced()])
    const before = { one: await scrape(one), two: await scrape(two) }

    addAssessment(writer.doc, { title: 'Across', judgment: 'from one instance to the other' })
    await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === 1, 'the edit at the other instance')

    const after = { one: await scrape(one), two: await scrape(two) }
    const grew = (server: 'one' | 'two', direction: string) =>
      (sample(after[server], 'assay_redis_messages_total', { direction }) ?? 0) - (sample(before[server], 'assay_redis_messages_total', { direction }) ?? 0)
    expect(grew('one', 'published')).toBeGreaterThanOrEqual(1)
    expect(grew('two', 'received')).toBeGreaterThanOrEqual(1)
    // Loading the board subscribed the second instance to it, and a subscription is followed by a catch-up from the log.
    expect(sample(after.two, 'assay_redis_catch_ups_total')).toBeGreaterThanOrEqual(1)
  })
})
