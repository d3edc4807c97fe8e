/**
 * Browser tests: a real server, Debian's Chromium driven by playwright-core,
 * one browser context per person, signed in with a real account (signIn()).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Role } from '../../shared/roles.ts'
import type { AssessmentInput, BoardModel } from '../../shared/board-model.ts'
import type { AchRating } from '../../shared/domain.ts'
import { addAccount, addMember, sessionHeaders, signIn as apiSignIn, type TestAccount } from './accounts.ts'
import { apiClient } from './api.ts'
import { CHROMIUM_PATH, describeUnless, missingServices } from './services.ts'
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts'
import { waitFor } from './wait-for.ts'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** `describe` for a suite of browser tests: skipped with the reason where Chromium is missing (a failure under CI=true). */
export const describeInBrowser = describeUnless(await missingServices('chromium'))

export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts')

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

/** A real server with real accounts: people sign in, and their board memberships decide their roles. */
export function startBrowserServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ accounts: true, ...options })
}

/** `errors`: every uncaught error of the person's pages; a test ends by checking it is empty (closePerson). */
export type Person = { account: TestAccount; name: string; context: BrowserContext; page: Page; errors: string[] }

/** Signs the account in for the whole context: the session cookie then goes with every page, fetch and websocket. */
export async function signIn(context: BrowserContext, server: TestServer, account: TestAccount): Promise<void> {
  const response = await context.request.post(`${server.url}/api/auth/login`, {
    data: { email: account.email, password: account.password },
    headers: { origin: server.url },
  })
  if (response.status() !== 200) throw new Error(`sign-in of ${account.email} failed: ${response.status()} ${await response.text()}`)
}

/**
 * A person at their own browser (a context of its own: own cookies, storage
 * and offline copy), signed in. `options` add to the context's (e.g.
 * bypassCSP, for a test that injects a script such as axe-core).
 */
export async function openPerson(browser: Browser, server: TestServer, account: TestAccount, options: BrowserContextOptions = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options })
  await signIn(context, server, account)
  const errors: string[] = []
  context.on('weberror', (error) => errors.push(error.error().message))
  const page = await context.newPage()
  return { account, name: account.name, context, page, errors }
}

/** Closes the person's browser context, failing if any of their pages threw. */
export async function closePerson(person: Person): Promise<void> {
  await person.context.close()
  if (person.errors.length > 0) throw new Error(`${person.name}'s pages threw: ${person.errors.join('; ')}`)
}

export type BoardApi = ReturnType<typeof apiClient>

/** A board owned by `owner`, with the others as members in the given roles. */
export async function createBoardFor(
  server: TestServer,
  owner: TestAccount,
  title: string,
  members: { account: TestAccount; role: Role }[] = [],
): Promise<{ boardId: string; api: BoardApi }> {
  const cookie = await apiSignIn(server, owner)
  const api = apiClient(server.url, sessionHeaders(server, cookie))
  const boardId = await api.createBoard(title)
  for (const member of members) await addMember(server, boardId, member.account, member.role)
  return { boardId, api }
}

/** The board as the API gives it now. */
export async function boardModel(api: BoardApi, boardId: string): Promise<BoardModel> {
  return (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
}

/** An assessment to seed; `claimLink`: the seeded claim is linked to it with this rating. */
export type SeededAssessment = AssessmentInput & { claimLink?: AchRating }

/**
 * Gives a board, through the API, the evidence most browser tests start from:
 * one source (NATO, reliability B), one claim of it (credibility 2), and the
 * assessments in their order. Returns the ids, the assessments' in the order given.
 */
export async function seedBoard<const Assessments extends readonly SeededAssessment[]>(
  api: BoardApi,
  boardId: string,
  seed: { claim: string; assessments?: Assessments },
): Promise<{ source: string; claim: string; assessments: { [K in keyof Assessments]: string } }> {
  const source = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'NATO', reliability: 'B' })).body.id
  const claim = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: seed.claim, sourceId: source, credibility: 2 })).body.id
  const assessments: string[] = []
  const links: { assessmentId: string; rating: AchRating }[] = []
  for (const { claimLink, ...input } of seed.assessments ?? []) {
    const assessmentId = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, input)).body.id
    assessments.push(assessmentId)
    if (claimLink) links.push({ assessmentId, rating: claimLink })
  }
  for (const link of links) await api.post(`/api/boards/${boardId}/links`, { ...link, claimId: claim })
  return { source, claim, assessments: assessments as { [K in keyof Assessments]: string } }
}

/** What a browser suite's tests reach: its server, its browser and its accounts, once beforeAll has run. */
export type BrowserSuite<Name extends string> = {
  readonly server: TestServer
  readonly browser: Browser
  readonly accounts: Readonly<Record<Name, TestAccount>>
  /** A person at their own browser, closed after the test (closePerson). */
  person(account: TestAccount, options?: BrowserContextOptions): Promise<Person>
  /** A person with the board open and live, closed after the test. */
  personOn(account: TestAccount, boardId: string): Promise<Person>
}

/**
 * The set-up of a suite of browser tests: one server (real accounts) and one
 * Chromium for the suite, an account per entry of `accountNames` (key → the
 * person's name), every person opened in a test closed after it, so their
 * pages' errors fail that test, and the browser and server closed at the end.
 */
export function browserSuite<Name extends string = never>(
  accountNames: Readonly<Record<Name, string>> = {} as Record<Name, string>,
  serverOptions: TestServerOptions = {},
): BrowserSuite<Name> {
  let server: TestServer | undefined
  let browser: Browser | undefined
  const accounts = {} as Record<Name, TestAccount>
  const people: Person[] = []

  beforeAll(async () => {
    server = await startBrowserServer(serverOptions)
    browser = await launchBrowser()
    for (const [key, name] of Object.entries(accountNames) as [Name, string][]) accounts[key] = await addAccount(server, { name })
  })

  afterEach(async () => {
    for (const person of people.splice(0)) await closePerson(person)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.destroy()
  })

  const suite: BrowserSuite<Name> = {
    get server() {
      if (!server) throw new Error('the browser suite has not started its server yet')
      return server
    },
    get browser() {
      if (!browser) throw new Error('the browser suite has not launched its browser yet')
      return browser
    },
    accounts,
    async person(account, options) {
      const person = await openPerson(suite.browser, suite.server, account, options)
      people.push(person)
      return person
    },
    async personOn(account, boardId) {
      const person = await suite.person(account)
      await openBoard(person, suite.server, boardId)
      return person
    },
  }
  return suite
}

/**
 * A board `owner` owns and `editor` edits, open and live in a browser of each;
 * `model` reads the board through the API.
 */
export async function ownerAndEditorOn(suite: Pick<BrowserSuite<never>, 'server' | 'person'>, title: string, owner: TestAccount, editor: TestAccount) {
  const { boardId, api } = await createBoardFor(suite.server, owner, title, [{ account: editor, role: 'editor' }])
  const ownerPerson = await suite.person(owner)
  const editorPerson = await suite.person(editor)
  await Promise.all([openBoard(ownerPerson, suite.server, boardId), openBoard(editorPerson, suite.server, boardId)])
  return { boardId, api, owner: ownerPerson, editor: editorPerson, model: () => boardModel(api, boardId) }
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

/**
 * The text of a shared text field (a CodeMirror editor), without what the
 * editor draws into it: others' cursors with their names, the placeholder.
 */
export function editorText(editor: Locator): Promise<string> {
  return editor.evaluate((content) =>
    [...content.querySelectorAll('.cm-line')]
      .map((line) => {
        const copy = line.cloneNode(true) as Element
        for (const drawn of copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer, .cm-placeholder')) drawn.remove()
        return copy.textContent ?? ''
      })
      .join('\n'),
  )
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

/** How many updates the offline copy of the board holds in this browser. */
export function storedUpdates(page: Page, database: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name)
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const count = open.result.transaction('updates').objectStore('updates').count()
          count.onsuccess = () => {
            resolve(count.result)
            open.result.close()
          }
          count.onerror = () => reject(count.error)
        }
      }),
    database,
  )
}
