/**
 * The board in a real browser (Debian's Chromium through playwright-core)
 * against a real server, on a board of 1,000 assessments and 5,000 claims
 * (6,000 links): how soon the first card shows, cold (nothing in the browser)
 * and warm (from the offline copy), and how long a keystroke takes to reach
 * the screen while another person edits the board. `npm run bench` can call
 * `benchBrowser()`; run this file alone with `npx tsx bench/browser.ts`.
 */
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { updateAssessment } from '../shared/board-mutations.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import type { LikelihoodBand } from '../shared/domain.ts'
import { buildClient } from '../test/e2e/build-client.ts'
import { addAccount, signIn } from '../test/helpers/accounts.ts'
import { createBoardFor, launchBrowser, openPerson, startBrowserServer } from '../test/helpers/browser.ts'
import { largeBoard } from './export.ts'

const KEYSTROKES = 120
const TYPING_DELAY_MS = 40
const REMOTE_EDIT_EVERY_MS = 50

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!

declare global {
  interface Window {
    /** Set by the bench's init script: when the first card was on the page (ms since navigation start). */
    __firstCardAt?: number
    /** Keystroke latencies: from the key event to the frame after it was handled. */
    __keyLatencies?: number[]
  }
}

/** Runs in the page before the app: notes when the first card appears, and times every keystroke to the next frame. */
function instrument(): void {
  new MutationObserver((_, observer) => {
    if (document.querySelector('[data-card-id]')) {
      window.__firstCardAt = performance.now()
      observer.disconnect()
    }
  }).observe(document, { childList: true, subtree: true })
  window.__keyLatencies = []
  document.addEventListener(
    'keydown',
    (event) => {
      // Only the typed characters: the key that places the cursor is not a keystroke of the text.
      if (event.key !== 'a') return
      const start = event.timeStamp
      // The callback of the frame after the key is handled, then a task after that frame is painted.
      requestAnimationFrame(() => setTimeout(() => window.__keyLatencies!.push(performance.now() - start), 0))
    },
    true,
  )
}

export async function benchBrowser(): Promise<Record<string, number>> {
  await buildClient()
  const server = await startBrowserServer()
  const browser = await launchBrowser()
  try {
    const analyst = await addAccount(server, { name: 'Bench Analyst' })
    const colleague = await addAccount(server, { name: 'Bench Colleague' })
    const { boardId } = await createBoardFor(server, analyst, 'Large board', [{ account: colleague, role: 'editor' }])
    const seedStart = performance.now()
    await server.services.rooms.withRoom(boardId, (room) =>
      room.change((doc) => replaceBoardContent(doc, { ...largeBoard(), id: boardId, title: 'Large board' }, serverOrigin('bench'))),
    )
    const seedMs = performance.now() - seedStart

    const person = await openPerson(browser, server, analyst)
    await person.context.addInitScript(instrument)
    const { page } = person
    const url = `${server.url}/boards/${boardId}`

    // Cold: the browser holds nothing of the board; everything comes over the socket.
    await page.goto(url)
    await page.locator('[data-card-id]').first().waitFor({ timeout: 60_000 })
    const firstRenderColdMs = await page.evaluate(() => window.__firstCardAt ?? NaN)
    await page.locator('[data-link="connected"][data-saved="true"]').waitFor({ timeout: 60_000 })
    const liveColdMs = await page.evaluate(() => performance.now())

    // Warm: the offline copy (IndexedDB) shows the board before the server answers.
    await page.reload()
    await page.locator('[data-card-id]').first().waitFor({ timeout: 60_000 })
    const firstRenderWarmMs = await page.evaluate(() => window.__firstCardAt ?? NaN)
    await page.locator('[data-link="connected"][data-saved="true"]').waitFor({ timeout: 60_000 })

    // Typing into a judgment while a colleague (a real y-websocket client) types into another card's judgment.
    const colleagueDoc = new Y.Doc()
    const colleagueCookie = await signIn(server, colleague)
    const provider = new WebsocketProvider(server.wsUrl, boardId, colleagueDoc, {
      WebSocketPolyfill: class extends WebSocket {
        constructor(address: string | URL, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: colleagueCookie, origin: server.url } })
        }
      } as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    })
    await new Promise<void>((resolve) => provider.once('sync', () => resolve()))
    const remoteText = assessmentText(colleagueDoc, 'assessment-3', 'judgment')
    let remoteEdits = 0
    const remoteTimer = setInterval(() => {
      remoteText.insert(remoteText.length, 'x')
      if (remoteEdits % 20 === 0) updateAssessment(colleagueDoc, 'assessment-5', { likelihood: (((remoteEdits / 20) % 7) + 1) as LikelihoodBand })
      remoteEdits++
    }, REMOTE_EDIT_EVERY_MS)

    await page.locator('[data-card-id="assessment-0"]').click()
    await page.locator('.cm-content[aria-label="Judgment"]').click()
    await page.keyboard.press('End')
    await page.evaluate(() => (window.__keyLatencies = []))
    const typingStart = performance.now()
    await page.keyboard.type('a'.repeat(KEYSTROKES), { delay: TYPING_DELAY_MS })
    const typingMs = performance.now() - typingStart
    clearInterval(remoteTimer)
    await page.waitForFunction((n) => (window.__keyLatencies?.length ?? 0) >= n, KEYSTROKES)
    const latencies = (await page.evaluate(() => window.__keyLatencies ?? [])).sort((a, b) => a - b)
    const heapMiB = await page.evaluate(() => {
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory
      return memory ? memory.usedJSHeapSize / 1024 / 1024 : NaN
    })
    provider.destroy()
    colleagueDoc.destroy()
    await person.context.close()

    return {
      assessments: 1000,
      claims: 5000,
      seedMs: round(seedMs),
      firstRenderColdMs: round(firstRenderColdMs),
      liveAndSavedColdMs: round(liveColdMs),
      firstRenderWarmMs: round(firstRenderWarmMs),
      keystrokes: latencies.length,
      keyToPaintP50Ms: round(percentile(latencies, 0.5)),
      keyToPaintP95Ms: round(percentile(latencies, 0.95)),
      keyToPaintMaxMs: round(latencies.at(-1) ?? NaN),
      typingCharsPerSecond: round((KEYSTROKES / typingMs) * 1000),
      remoteEditsWhileTyping: remoteEdits,
      pageHeapMiB: round(heapMiB),
    }
  } finally {
    await browser.close()
    await server.destroy()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchBrowser(), null, 2))
}
