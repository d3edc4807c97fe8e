/**
 * PostgreSQL reached over a slow link, through a TCP proxy of the test's own
 * that forwards every chunk late either way: bytes keep coming, so no
 * statement times out and no silence deadline trips, and every commit
 * succeeds, each taking several round trips. While a writer types on, the
 * edits wait ever longer to be committed: once the oldest has waited
 * COMMIT_FAILING_NOTICE_MS the board counts as failing in the metrics and
 * /readyz, the log says so, and the clients are told, as when commits fail
 * outright; once the link is fast again it all clears, and every edit is stored.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import { METRICS_TOKEN, metricsText, sample } from '../helpers/prometheus-text.ts'
import { serverNotice } from '../helpers/server-notice.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { startProxiedServer, type ProxiedServer } from '../helpers/proxied-server.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Each chunk this late, each way: a round trip takes a second, far inside the statement timeout's silence deadline (5 s + 2 s). */
const LINK_DELAY_MS = 500
/** Edits waiting this long make the board failing: less than the two round trips a commit takes at the least. */
const NOTICE_MS = 800
/** How long it may take to show, and to clear: bounds, not measurements. */
const DEADLINE_MS = 30_000

type Readiness = { commits: { status: string; failingBoards: number; oldestUncommittedMs?: number } }

describeUnless(postgresMissing)('PostgreSQL over a slow link', () => {
  let proxied: ProxiedServer
  let server: TestServer
  const logged: Record<string, unknown>[] = []

  beforeEach(async () => {
    logged.length = 0
    proxied = await startProxiedServer({
      env: { COMMIT_FAILING_NOTICE_MS: String(NOTICE_MS), METRICS_TOKEN },
      logSink: (line) => logged.push(JSON.parse(line) as Record<string, unknown>),
    })
    server = proxied.server
  })

  afterEach(() => proxied.destroy())

  const connect = clientsDestroyedAfterEach()
  const metric = async (name: string) => sample(await metricsText(server), name)
  const readiness = async () => (await (await fetch(`${server.url}/readyz`)).json()) as Readiness
  const logCount = (msg: string) => logged.filter((line) => line.msg === msg).length

  it('edits committed ever later count as failing, and the clients are told, though no commit fails; all clears once the link is fast, nothing lost', { timeout: 3 * DEADLINE_MS }, async () => {
    const boardId = await apiClient(server.url).createBoard('Slow link')
    const writer = connect(server.wsUrl, boardId)
    const observer = connect(server.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])
    const titles = (doc: typeof writer.doc) => new Set(boardToModel(doc, boardId).assessments.map((card) => card.title))

    proxied.proxy.slow(LINK_DELAY_MS)
    let typed = 0
    const typing = setInterval(() => addAssessment(writer.doc, { title: `typed ${typed++}` }), 50)
    try {
      await waitFor(() => serverNotice(observer)?.saving === 'failing' && serverNotice(writer)?.saving === 'failing', 'both clients to be told saving is failing', DEADLINE_MS)
      await waitFor(async () => (await metric('assay_boards_commit_failing')) === 1, 'the board to count as failing', DEADLINE_MS)
      expect(await metric('assay_oldest_uncommitted_seconds')).toBeGreaterThanOrEqual(NOTICE_MS / 1000)
      expect(await metric('assay_commit_failing_seconds')).toBeGreaterThan(0)
      await waitFor(async () => (await readiness()).commits.status === 'failing', '/readyz to report failing commits', DEADLINE_MS)
      const late = logged.find((line) => line.msg === 'saving is late: changes have waited too long to be committed; telling the board’s clients')
      expect(late).toMatchObject({ level: 50, boardId, cause: 'commits slow or hanging' })
      // The slow path is its own: nothing failed, nothing was retried.
      expect(logCount('commit failed; changes kept in memory, retrying')).toBe(0)
      expect(await metric('assay_commit_failures_total')).toBe(0)
    } finally {
      clearInterval(typing)
    }

    proxied.proxy.slow(0)
    await waitFor(() => !serverNotice(observer) && !serverNotice(writer), 'the notice to clear', DEADLINE_MS)
    await waitFor(async () => (await metric('assay_boards_commit_failing')) === 0, 'the board to count as failing no more', DEADLINE_MS)
    await waitFor(async () => (await readiness()).commits.status === 'ok', '/readyz to report commits ok', DEADLINE_MS)
    expect(logCount('saving caught up')).toBeGreaterThanOrEqual(1)
    await waitFor(() => titles(observer.doc).size === typed, 'the observer to receive every edit', DEADLINE_MS)
    await server.services.rooms.loadedRooms.get(boardId)!.whenSaved()
    expect(await metric('assay_oldest_uncommitted_seconds')).toBe(0)
    expect(new Set((await storedBoard(server, boardId)).assessments.map((card) => card.title))).toEqual(titles(writer.doc))
    expect(titles(writer.doc).size).toBe(typed)
  })
})
