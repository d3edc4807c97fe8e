/**
 * A shared workstation (a crisis room): one browser, several people in turn.
 * What the browser keeps of a person's boards (the list of boards, the
 * offline copies) is never shown to another account; when a session ends,
 * however it ends, what holds nothing unsaved goes, and changes not yet sent
 * stay for their owner, named on the sign-in page.
 */
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { signedInClient, type TestAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, storedUpdates, waitInPage, waitSaved, type Person } from '../helpers/browser.ts'
import { refuseAuditEntries } from '../helpers/refused-writes.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to Assay' })

/** The names of the IndexedDB databases (the offline copies) this browser holds. */
function offlineCopies(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name ?? ''))
}

async function signInThroughForm(page: Page, account: TestAccount): Promise<void> {
  await signInHeading(page).waitFor()
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Ends every other session of the account, as a password change on another machine does. */
async function endSessionsElsewhere(server: TestServer, account: TestAccount): Promise<void> {
  const elsewhere = await signedInClient(server, account)
  const changed = await elsewhere.post('/api/me/password', { currentPassword: account.password, newPassword: account.password })
  expect(changed.status).toBe(204)
}

async function addCard(person: Person, title: string): Promise<void> {
  await person.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
  await person.page.keyboard.press('n')
  await person.page.keyboard.type(title)
  await person.page.keyboard.press('Enter')
  await person.page.locator('[role="option"][data-card-id]', { hasText: title }).waitFor()
}

describeInBrowser('a browser shared by several people', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', ben: 'Ben Okafor', cy: 'Cy Removed', dee: 'Dee Declined' })

  it('keeps nothing of a person whose session ended elsewhere for the next one, even when the list of boards cannot be fetched', async () => {
    const { boardId } = await createBoardFor(suite.server, suite.accounts.ana, 'Nightjar launch site')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    await waitSaved(ana)
    await ana.page.getByRole('link', { name: 'Assay' }).click()
    await ana.page.getByRole('link', { name: 'Nightjar launch site' }).waitFor()
    expect(await offlineCopies(ana.page)).toContain(`assay:${suite.accounts.ana.id}:${boardId}`)

    await endSessionsElsewhere(suite.server, suite.accounts.ana)
    // The list asks the server again on the board list: its 401 sends the tab to sign in.
    await ana.page.reload()
    await signInHeading(ana.page).waitFor()
    await waitInPage(ana.page, () => localStorage.getItem('assay.boards'), (list) => list === null, 'the list of boards to be forgotten')
    await waitInPage(
      ana.page,
      async () => (await indexedDB.databases()).map((database) => database.name ?? ''),
      (names) => !names.some((name) => name.includes(boardId)),
      'the offline copy to be deleted',
    )

    // Ben signs in on that browser while the list of boards cannot be fetched: nothing of Ana's shows.
    await ana.page.route('**/api/boards?archived=include', (route) => route.abort())
    await signInThroughForm(ana.page, suite.accounts.ben)
    await ana.page.getByRole('heading', { name: 'Boards', exact: true }).waitFor()
    await ana.page.locator('.error-text, [role="alert"]').first().waitFor()
    expect(await ana.page.getByText('Nightjar launch site').count()).toBe(0)
  }, 60_000)

  it('keeps changes not yet sent when the session ends elsewhere, names them at sign-in, hides them from the next person, and sends them once their owner is back', async () => {
    const { boardId } = await createBoardFor(suite.server, suite.accounts.ana, 'Harbour watch')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const page = ana.page
    await waitSaved(ana)
    await ana.context.setOffline(true)
    await page.locator('[role="status"][data-link="offline"]').waitFor()
    const database = `assay:${suite.accounts.ana.id}:${boardId}`
    const before = await storedUpdates(page, database)
    await addCard(ana, 'Written before the session ended')
    await waitFor(async () => (await storedUpdates(page, database)) > before, 'the offline copy to store the change')
    expect(await page.locator('[role="status"][data-link="offline"]').getAttribute('data-saved')).toBe('false')

    await endSessionsElsewhere(suite.server, suite.accounts.ana)
    await ana.context.setOffline(false)
    await signInHeading(page).waitFor({ timeout: 30_000 })
    const kept = page.getByRole('list', { name: 'Changes kept in this browser' })
    const keptForAna = kept.getByText(`Changes to a board that have not reached the server are kept in this browser: sign in as Ana Petrova (${suite.accounts.ana.email})`)
    await keptForAna.waitFor()
    // Whose, not which board: whoever sits down next must not learn its title.
    expect(await kept.innerText()).not.toContain('Harbour watch')

    // Ben uses the browser (from a fresh sign-in page: the note is kept across loads) and signs out: Ana's copy is not his to delete, nor to see.
    await page.goto(`${suite.server.url}/signin`)
    await keptForAna.waitFor()
    await signInThroughForm(page, suite.accounts.ben)
    await page.getByRole('heading', { name: 'Boards', exact: true }).waitFor()
    expect(await page.getByText('Harbour watch').count()).toBe(0)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await signInHeading(page).waitFor()
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/signin')
    await keptForAna.waitFor()
    expect(await offlineCopies(page)).toContain(`assay:${suite.accounts.ana.id}:${boardId}`)

    // Ana back: her list marks the board, which opens from her copy, and the waiting change reaches the server.
    await signInThroughForm(page, suite.accounts.ana)
    await page.locator(`tr[data-board-id="${boardId}"]`).getByText('Changes kept in this browser').waitFor()
    await openBoard(ana, suite.server, boardId)
    await waitSaved(ana)
    // Read with a session of its own: the password change ended the one the board was made with.
    const api = await signedInClient(suite.server, suite.accounts.ana)
    const stored = (await api.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)).body.assessments.map((a) => a.title)
    expect(stored).toEqual(['Written before the session ended'])
  }, 90_000)

  it('deletes the offline copy of a member removed from the board', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Closed cell', [{ account: suite.accounts.cy, role: 'editor' }])
    const cy = await suite.personOn(suite.accounts.cy, boardId)
    await waitSaved(cy)
    const copy = `assay:${suite.accounts.cy.id}:${boardId}`
    expect(await offlineCopies(cy.page)).toContain(copy)

    expect((await api.delete(`/api/boards/${boardId}/members/${suite.accounts.cy.id}`)).status).toBe(204)
    await waitInPage(
      cy.page,
      async () => (await indexedDB.databases()).map((database) => database.name ?? ''),
      (names) => !names.some((name) => name.includes(boardId)),
      'the removed member’s offline copy to be deleted',
    )
  }, 60_000)

  it('clears the browser’s side when signing out with the server out of reach, and ends the server’s session once it is back', async () => {
    const { boardId } = await createBoardFor(suite.server, suite.accounts.ben, 'Ferry routes')
    const ben = await suite.personOn(suite.accounts.ben, boardId)
    const page = ben.page
    await waitSaved(ben)
    // The service worker keeps the app shell, so that the page can be reopened offline below.
    await waitInPage(page, () => navigator.serviceWorker.controller !== null, (controlled) => controlled, 'the service worker to control the page')
    await waitInPage(
      page,
      async () => (await caches.open('assay-shell-v1').then((cache) => cache.keys())).map((request) => new URL(request.url).pathname),
      (shell) => shell.includes('/index.html') && shell.some((path) => path.startsWith('/assets/') && path.endsWith('.js')),
      'the app shell to be kept',
    )
    await ben.context.setOffline(true)
    await page.locator('[role="status"][data-link="offline"]').waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await signInHeading(page).waitFor()
    await page.getByText('your session there may still be open').waitFor()
    // Signed out from the board, to a plain sign-in: the next person is not led to it.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/signin')
    expect(await page.evaluate(() => [localStorage.getItem('assay.me'), localStorage.getItem('assay.boards')])).toEqual([null, null])
    expect((await offlineCopies(page)).filter((name) => name.includes(boardId))).toEqual([])

    // Reopened while still offline, the app does not come up signed in.
    await page.reload()
    await page.getByRole('heading', { name: 'The server cannot be reached' }).waitFor()

    // Back online, the page ends the session the sign-out could not.
    await ben.context.setOffline(false)
    await page.reload()
    await signInHeading(page).waitFor()
    const status = await ben.context.request.get(`${suite.server.url}/api/auth/status`)
    expect(((await status.json()) as { user: unknown }).user).toBeNull()
  }, 60_000)

  it('does not come up signed in after a sign-out the server refused, and ends the session once the server takes it', async () => {
    const { boardId } = await createBoardFor(suite.server, suite.accounts.dee, 'Sluice gates')
    const dee = await suite.personOn(suite.accounts.dee, boardId)
    const page = dee.page
    await waitSaved(dee)
    const signedInOnServer = async () => ((await (await dee.context.request.get(`${suite.server.url}/api/auth/status`)).json()) as { user: unknown }).user !== null
    const pending = () => page.evaluate(() => localStorage.getItem('assay.sign-out-pending'))
    // The server's storage refuses the sign-out's audit entry, so the session is not ended (nor its cookie cleared).
    const allow = await refuseAuditEntries(suite.server, 'sign-out')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await signInHeading(page).waitFor()
    await page.getByText('your session there may still be open').waitFor()
    expect({ pending: await pending(), session: await signedInOnServer() }).toEqual({ pending: 'true', session: true })

    // Reloaded while the server still refuses: the session lives there, but the page does not come up signed in with it.
    await page.reload()
    await signInHeading(page).waitFor()
    expect({ pending: await pending(), session: await signedInOnServer() }).toEqual({ pending: 'true', session: true })

    await allow()
    await page.reload()
    await signInHeading(page).waitFor()
    await waitFor(async () => (await pending()) === null, 'the pending sign-out to be done')
    expect(await signedInOnServer()).toBe(false)
  }, 60_000)
})
