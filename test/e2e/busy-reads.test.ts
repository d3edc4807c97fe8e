/**
 * Reads the server refuses as busy, waited out in the browser: a server with
 * tiny budgets (a person's 64 KiB of snapshots a minute, one history read
 * computed at once on the instance) really refuses them, with Retry-After,
 * and the page says it is trying again, then shows what it asked for. A
 * reviewer opening a snapshot just after their minute of loading is spent
 * (`429 loading_too_much`) sees it a few seconds later; the export dialog of
 * the board as of a past time, while another person's history read holds the
 * instance (`429 history_reads_busy`) and while two of the reviewer's own are
 * in flight (`429 too_many_history_reads`), shows its preview and checks and
 * downloads the file once the server has room.
 */
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'
import { busyNote } from '../../client/src/app/busy-retry.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { sessionHeaders, signedInClient, signIn } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { Gate } from '../helpers/gate.ts'
import { gateHistoryReads } from '../helpers/history-gate.ts'
import { metricsText, METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** The least a person may be given to load a minute (LOADED_BYTES_PER_MINUTE_PER_PERSON). */
const LOADED_BYTES_PER_MINUTE = 65_536
const clock = testClock(Date.now())

describeInBrowser('reads refused as busy, in the browser', () => {
  /** Held, the history reads of the moment `heldAt` wait as they begin reading the board's history. */
  const reading = new Gate()
  let heldAt = ''
  const gated = (storage: Storage): Storage =>
    gateHistoryReads(storage, {
      startAt: async (at) => {
        if (at === heldAt) await reading.pass()
      },
    })
  // A test that failed midway leaves no read waiting at the gate for the server's shutdown.
  afterEach(() => reading.release())
  const suite = browserSuite(
    { analyst: 'Ana Petrova', reviewer: 'Carol Reviewer' },
    { clock, wrapStorage: gated, env: { METRICS_TOKEN, LOADED_BYTES_PER_MINUTE_PER_PERSON: String(LOADED_BYTES_PER_MINUTE), HISTORY_READS_PER_INSTANCE: '1' } },
  )

  it('opens a snapshot once the reviewer’s minute of loading has refilled, saying meanwhile that it tries again', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — busy snapshot', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    const {
      source,
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3 }] })
    // Enough text that the snapshot's state takes some 7 s of the reviewer's minute to pay back (below).
    const text = 'A convoy was sighted near the border. '.repeat(160)
    expect((await api.post(`/api/boards/${boardId}/claims`, { text, sourceId: source, credibility: 3 })).status).toBe(201)
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)

    // The reviewer reads the snapshot's state until the minute is spent, then once more as soon as it is paid back:
    // the page asks right after, in debt by one state's bytes, and is refused until the minute has refilled that much.
    const headers = sessionHeaders(suite.server, await signIn(suite.server, suite.accounts.reviewer))
    const stateUrl = `${suite.server.url}/api/boards/${boardId}/snapshots/${snapshot.body.id}/state`
    const readState = async () => {
      const response = await fetch(stateUrl, { headers })
      if (response.status !== 429) return { status: response.status, bytes: (await response.arrayBuffer()).byteLength }
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('loading_too_much')
      expect(response.headers.get('retry-after')).toBe('5')
      return { status: 429, bytes: 0 }
    }
    let stateBytes = 0
    for (let read = await readState(); read.status !== 429; read = await readState()) {
      expect(read.status).toBe(200)
      stateBytes = read.bytes
    }
    // Paid back within the page's three tries (5 s apart), and not before the page asks (a second or two).
    const paidBackSeconds = stateBytes / (LOADED_BYTES_PER_MINUTE / 60)
    expect(paidBackSeconds).toBeGreaterThan(5)
    expect(paidBackSeconds).toBeLessThan(9)
    await waitFor(async () => (await readState()).status === 200, 'the reviewer’s minute to refill', 30_000)

    const { page } = await suite.person(suite.accounts.reviewer)
    const asked = countRequests(page, `/snapshots/${snapshot.body.id}/state`)
    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.body.id}`)
    await page.getByRole('status').filter({ hasText: busyNote(5) }).waitFor()
    await page.locator(`#card-${id}`).waitFor({ timeout: 20_000 })
    expect(await page.locator('.snapshot-banner').textContent()).toContain('Morning brief')
    const statuses = asked()
    expect(statuses[0]).toBe(429)
    expect(statuses.at(-1)).toBe(200)
  })

  it('loads the export dialog of a past time while the instance is busy, and downloads once the reviewer’s own reads in flight end', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — as it was', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3, kind: 'key-judgment' }] })
    const moment = clock.iso()
    clock.advance(MINUTE)
    expect((await api.patch(`/api/boards/${boardId}`, { title: 'Renamed since' })).status).toBe(200)
    const later = clock.advance(MINUTE)
    // A version of its own: two times of one version are one read, kept once computed.
    clock.advance(MINUTE)
    expect((await api.patch(`/api/boards/${boardId}`, { title: 'Renamed again' })).status).toBe(200)
    const latest = clock.advance(MINUTE)
    clock.advance(MINUTE)
    const stateAt = (at: string) => `/api/boards/${boardId}/history/state?asOf=${encodeURIComponent(at)}`

    const { page } = await suite.person(suite.accounts.reviewer)
    await page.goto(`${suite.server.url}/boards/${boardId}/history?at=${encodeURIComponent(moment)}`)
    await page.locator('.as-of-banner').waitFor()

    // The owner's read of another moment holds the instance's one history read: the dialog's preview and checks are refused.
    heldAt = later
    reading.hold()
    const ownersRead = api.get(stateAt(later))
    await waitFor(() => reading.waiting === 1, 'the owner’s read to hold the instance')
    const refusals = refusalsOf(page, '/export?', '/checks?')
    const dialog = await openExport(page, 'Markdown')
    const checks = dialog.locator('[data-export-checks]')
    await checks.getByRole('status').filter({ hasText: busyNote(5) }).waitFor()
    await dialog.getByRole('status').filter({ hasText: busyNote(5) }).first().waitFor()
    await saveScreenshot(page, 'export-busy')
    reading.release()
    expect((await ownersRead).status).toBe(200)
    await page.frameLocator('iframe[title="Preview of the briefing"]').getByText('Wagner — as it was').first().waitFor({ timeout: 20_000 })
    await checks.locator('.summary').waitFor({ timeout: 20_000 })
    expect(refusals()).toContain('history_reads_busy')

    // Two of the reviewer's own reads in flight, as many as one person may: the download is refused, then tried again.
    heldAt = latest
    reading.hold()
    const carol = await signedInClient(suite.server, suite.accounts.reviewer)
    const carolsReads = [carol.get(stateAt(latest))]
    await waitFor(() => reading.waiting === 1, 'the reviewer’s first read to hold')
    const shared = () => sharedReads(suite.server, 'board-as-of')
    const sharedBefore = await shared()
    carolsReads.push(carol.get(stateAt(latest)))
    await waitFor(async () => (await shared()) === sharedBefore + 1, 'the reviewer’s second read to join the first')
    const downloading = page.waitForEvent('download')
    await dialog.getByRole('button', { name: 'Download Markdown' }).click()
    await dialog.locator('[data-download-waiting]').filter({ hasText: busyNote(5) }).waitFor()
    reading.release()
    for (const read of carolsReads) expect((await read).status).toBe(200)
    expect(await readFile((await (await downloading).path())!, 'utf8')).toContain('Wagner — as it was')
    await dialog.locator('[data-saved-file]').waitFor()
    expect(refusals()).toContain('too_many_history_reads')
  })
})

/** Opens "Export ▾" and picks a format: the dialog opens with it chosen. */
async function openExport(page: Page, format: string) {
  await page.getByRole('button', { name: 'Export the board as it was then' }).click()
  await page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: new RegExp(`^${format}…`) }).click()
  return page.getByRole('dialog', { name: /^Export “/ })
}

/** The codes of the server's 429 refusals of the page's requests to any of `paths`, as they come. */
function refusalsOf(page: Page, ...paths: string[]): () => string[] {
  const codes: string[] = []
  page.on('response', async (response) => {
    if (response.status() !== 429 || !paths.some((path) => response.url().includes(path))) return
    codes.push(((await response.json()) as { error: { code: string } }).error.code)
  })
  return () => codes
}

/** How many history reads of `kind` joined an identical one in flight on the server. */
async function sharedReads(server: TestServer, kind: string): Promise<number> {
  return sample(await metricsText(server), 'assay_history_reads_shared_total', { kind }) ?? 0
}

/** The statuses of the page's responses whose address contains `path`, in order. */
function countRequests(page: Page, path: string): () => number[] {
  const statuses: number[] = []
  page.on('response', (response) => {
    if (response.url().includes(path)) statuses.push(response.status())
  })
  return () => statuses
}
