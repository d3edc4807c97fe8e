/**
 * Signing out of a shared workstation leaves no board content in the
 * browser's HTTP cache: a person views a board and a snapshot of it in
 * Chromium with a profile on disk, signs out, and the browser closes; then no
 * file of the profile's disk cache names an API address of the board or holds
 * its judgment. The app shell the service worker keeps (Cache Storage, no
 * board content) outlives the sign-out: it asks the browser to drop its HTTP
 * cache, not its storage. A browser closed without signing out keeps nothing
 * either: every API answer says no-store.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { CHROMIUM_ARGS, createBoardFor, describeInBrowser, signIn, startBrowserServer, waitInPage } from '../helpers/browser.ts'
import { CHROMIUM_PATH } from '../helpers/services.ts'
import { tempDir, type TestServer } from '../helpers/test-server.ts'

const JUDGMENT = 'Staging at the northern crossing points to a move within days'

/** The files under `folder` (all depths) whose bytes contain `text`. */
function filesHolding(folder: string, text: string): string[] {
  const needle = Buffer.from(text)
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && readFileSync(join(entry.parentPath, entry.name)).includes(needle))
    .map((entry) => join(entry.parentPath, entry.name))
}

describeInBrowser('the HTTP cache after signing out', () => {
  let server: TestServer | undefined
  let context: BrowserContext | undefined
  let profile: string | undefined

  afterEach(async () => {
    await context?.close()
    await server?.destroy()
    if (profile) rmSync(profile, { recursive: true, force: true })
    context = server = profile = undefined
  })

  /** A board with a judgment and a snapshot, viewed (the board list, then the snapshot) in Chromium with a profile on disk. */
  async function viewSnapshotOnDisk() {
    server = await startBrowserServer()
    const analyst = await addAccount(server, { name: 'Ana Petrova' })
    const { boardId, api } = await createBoardFor(server, analyst, 'Northern crossing')
    expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'Staging', judgment: JUDGMENT })).status).toBe(201)
    const snapshot = await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)

    profile = tempDir('assay-profile-')
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
    await signIn(context, server, analyst)
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(`${server.url}/`)
    await page.getByText('Northern crossing').first().waitFor({ timeout: 15_000 })
    await page.goto(`${server.url}/boards/${boardId}/snapshots/${snapshot.body.id}`)
    await page.getByText(JUDGMENT).first().waitFor({ timeout: 15_000 })
    await waitInPage(page, () => caches.has('assay-shell-v1'), (kept) => kept, 'the service worker to keep the app shell')
    return { page, boardId, profile }
  }

  /**
   * Closes the browser, which writes its disk cache out, and lists what the
   * cache still holds of the board. An entry Chromium opened for an answer
   * before reading its headers, and doomed once they said no-store, is renamed
   * `todelete_…` for its cache thread to remove, which a browser closed at
   * once on a busy machine may not have reached: it holds the address, never
   * the answer, which `holdingTheJudgment` looks for in every file.
   */
  async function keptOfBoard(boardId: string, profile: string) {
    await context?.close()
    context = undefined
    const cacheFolder = join(profile, 'Default', 'Cache')
    const entries = filesHolding(cacheFolder, `/api/boards/${boardId}`).filter((file) => !basename(file).startsWith('todelete_'))
    return { namingTheBoard: entries, holdingTheJudgment: filesHolding(cacheFolder, JUDGMENT) }
  }

  it('holds nothing of a board viewed before a sign-out, and the app shell stays', async () => {
    const { page, boardId, profile } = await viewSnapshotOnDisk()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/signin'), { timeout: 15_000 })
    expect(await page.evaluate(() => caches.has('assay-shell-v1'))).toBe(true)
    expect(await keptOfBoard(boardId, profile)).toEqual({ namingTheBoard: [], holdingTheJudgment: [] })
  })

  it('holds nothing of a board even when the browser is closed without signing out', async () => {
    const { boardId, profile } = await viewSnapshotOnDisk()
    expect(await keptOfBoard(boardId, profile)).toEqual({ namingTheBoard: [], holdingTheJudgment: [] })
  })
})
