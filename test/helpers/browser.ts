/**
 * Browser tests: a real server, Debian's Chromium driven by playwright-core,
 * one browser context per person. Signing a person in happens in signIn()
 * alone, so moving from open access to accounts is one edit there.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Role } from '../../server/access/access.ts'
import { openAccess } from '../../server/access/open-access.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts'
import { waitFor } from './wait-for.ts'

export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts')

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

/**
 * Before accounts exist, the server treats everyone alike; a test gives a
 * person another role with this cookie, which the test server's access reads
 * for HTTP requests and websocket upgrades alike.
 */
export const TEST_ROLE_COOKIE = 'assay-test-role'

export function roleFromCookie(request: Request): Role {
  const cookie = request.headers.get('cookie') ?? ''
  const match = cookie.match(new RegExp(`(?:^|;\\s*)${TEST_ROLE_COOKIE}=(owner|editor|reviewer)`))
  return (match?.[1] as Role | undefined) ?? 'editor'
}

/** A real server whose access gives each person the role their context carries. */
export function startBrowserServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ access: () => openAccess(roleFromCookie), ...options })
}

export type PersonSpec = { name: string; role?: Role }
export type Person = { name: string; context: BrowserContext; page: Page }

/** Signs a person in for the whole context. Open access: the app takes the person's name from the browser. */
export async function signIn(context: BrowserContext, server: TestServer, person: PersonSpec): Promise<void> {
  await context.addInitScript((name) => localStorage.setItem('assay.name', name), person.name)
  if (person.role) await context.addCookies([{ name: TEST_ROLE_COOKIE, value: person.role, url: server.url }])
}

export async function openPerson(browser: Browser, server: TestServer, person: PersonSpec): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await signIn(context, server, person)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`[${person.name}] page error: ${error.message}`))
  return { name: person.name, context, page }
}

/** Opens the board and waits until it is live: synced with the server and showing. */
export async function openBoard(person: Person, server: TestServer, boardId: string): Promise<void> {
  await person.page.goto(`${server.url}/boards/${boardId}`)
  await person.page.locator('[role="status"][data-link="connected"]').waitFor({ timeout: 15_000 })
  await person.page.locator('.columns').waitFor()
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const path = join(ARTIFACTS_DIR, `${name}.png`)
  await page.screenshot({ path })
  return path
}

/** Waits until the badge says the server has stored every change this person made. */
export async function waitSaved(person: Person): Promise<void> {
  await person.page.locator('[role="status"][data-link="connected"][data-saved="true"]').waitFor({ timeout: 15_000 })
}

/** Polls a value computed in the page until it satisfies `check`. */
export async function waitInPage<T>(page: Page, read: () => T | Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  let last: T | undefined
  await waitFor(
    async () => {
      last = await page.evaluate(read)
      return check(last)
    },
    what,
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last value: ${JSON.stringify(last)})`)
  })
  return last as T
}
