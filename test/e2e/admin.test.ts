/**
 * Administration in the browser: the admin's People page (add a person, set a
 * new password, make an admin, deactivate and reactivate), and one's own
 * account page (change the password, make, list and revoke API tokens), each
 * checked against what the server then accepts.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { browserSuite, describeInBrowser, saveScreenshot } from '../helpers/browser.ts'
import { isolate } from '../../shared/bidi.ts'

describeInBrowser('administration in the browser', () => {
  const suite = browserSuite()

  /** Each test walks a whole page through the real server: room for a loaded machine. */
  const WHOLE_PAGE_MS = 120_000
  const login = (email: string, password: string) => apiClient(suite.server.url, { origin: suite.server.url }).post('/api/auth/login', { email, password })

  it('the admin adds a person, sets their password, makes them admin, deactivates and reactivates them', async () => {
    const admin = await addAccount(suite.server, { name: 'Ada Admin', isAdmin: true })
    const { page } = await suite.person(admin)
    await page.goto(`${suite.server.url}/`)
    await page.getByRole('link', { name: 'People' }).click()
    await page.getByRole('heading', { name: 'People' }).waitFor()
    const table = page.getByRole('table', { name: 'People' })
    await table.locator(`[data-person="${admin.email}"]`).getByText('(you)').waitFor()
    // Nobody deactivates themselves: the button is not offered.
    expect(await page.getByRole('button', { name: `Deactivate ${isolate('Ada Admin')}` }).count()).toBe(0)

    await page.getByRole('button', { name: 'Add a person' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add a person' })
    await dialog.getByLabel('Name').fill('Pat Person')
    await dialog.getByLabel('Email').fill('pat@example.org')
    await dialog.getByLabel(/First password/).fill('first password of Pat')
    await dialog.getByRole('button', { name: 'Add' }).click()
    const row = table.locator('[data-person="pat@example.org"]')
    await row.getByText('Member').waitFor()
    expect((await login('pat@example.org', 'first password of Pat')).status).toBe(200)

    // An email taken already is refused in the dialog, in the server's words.
    await page.getByRole('button', { name: 'Add a person' }).click()
    await dialog.getByLabel('Name').fill('Pat Again')
    await dialog.getByLabel('Email').fill('PAT@example.org')
    await dialog.getByLabel(/First password/).fill('another long password')
    await dialog.getByRole('button', { name: 'Add' }).click()
    await dialog.getByRole('alert').filter({ hasText: 'exists already' }).waitFor()
    await dialog.getByRole('button', { name: 'Cancel' }).click()

    await page.getByRole('button', { name: `Reset password of ${isolate('Pat Person')}` }).click()
    const reset = page.getByRole('dialog', { name: `New password for ${isolate('Pat Person')}` })
    await reset.getByLabel(/New password/).fill('second password of Pat')
    await reset.getByRole('button', { name: 'Set the password' }).click()
    await reset.waitFor({ state: 'detached' })
    expect((await login('pat@example.org', 'first password of Pat')).status).toBe(401)
    expect((await login('pat@example.org', 'second password of Pat')).status).toBe(200)

    await page.getByRole('button', { name: `Make admin: ${isolate('Pat Person')}` }).click()
    await row.getByText('Admin', { exact: true }).waitFor()
    expect((await login('pat@example.org', 'second password of Pat')).body).toMatchObject({ isAdmin: true })
    await page.getByRole('button', { name: `Remove admin rights of ${isolate('Pat Person')}` }).click()
    await row.getByText('Member').waitFor()

    await page.getByRole('button', { name: `Deactivate ${isolate('Pat Person')}` }).click()
    await row.getByText('Deactivated').waitFor()
    expect((await login('pat@example.org', 'second password of Pat')).status).toBe(403)
    await saveScreenshot(page, 'admin-people')
    await page.getByRole('button', { name: `Reactivate ${isolate('Pat Person')}` }).click()
    await row.getByText('Member').waitFor()
    expect((await login('pat@example.org', 'second password of Pat')).status).toBe(200)

    // The last active admin keeps the rights: the server refuses, and the page says why.
    await page.getByRole('button', { name: `Remove admin rights of ${isolate('Ada Admin')}` }).click()
    await page.getByText(/last active admin/).waitFor()
    await table.locator('[data-person="' + admin.email + '"]').getByText('Admin', { exact: true }).waitFor()
  }, WHOLE_PAGE_MS)

  it('a person who is not the admin has no People page', async () => {
    const person = await addAccount(suite.server, { name: 'Nora Member' })
    const { page } = await suite.person(person)
    await page.goto(`${suite.server.url}/`)
    await page.getByRole('heading', { name: 'Boards', exact: true }).waitFor()
    expect(await page.getByRole('link', { name: 'People' }).count()).toBe(0)
    await page.goto(`${suite.server.url}/people`)
    await page.getByText('Only the admin manages people.').waitFor()
  }, WHOLE_PAGE_MS)

  it('a person changes their own password and makes, lists and revokes API tokens', async () => {
    const person = await addAccount(suite.server, { name: 'Tom Tokens', password: 'the old password of Tom' })
    const { page } = await suite.person(person)
    await page.goto(`${suite.server.url}/`)
    await page.getByRole('link', { name: 'Tom Tokens' }).click()
    await page.getByRole('heading', { name: 'Your account' }).waitFor()

    await page.getByLabel('Current password').fill('not the password')
    await page.getByLabel(/^New password \(at least/).fill('the new password of Tom')
    await page.getByLabel('New password again').fill('the new password of Tom')
    await page.getByRole('button', { name: 'Change the password' }).click()
    await page.getByRole('alert').filter({ hasText: 'current password is not right' }).waitFor()
    await page.getByLabel('Current password').fill('the old password of Tom')
    await page.getByRole('button', { name: 'Change the password' }).click()
    await page.getByText('Your password is changed.').waitFor()
    expect((await login(person.email, 'the old password of Tom')).status).toBe(401)
    expect((await login(person.email, 'the new password of Tom')).status).toBe(200)

    await page.getByLabel('Name of the new token').fill('nightly import')
    await page.getByRole('button', { name: 'Make a token' }).click()
    const shown = page.getByLabel('The new token', { exact: true })
    await shown.waitFor()
    const token = await shown.inputValue()
    expect(token.length).toBeGreaterThan(20)
    const tokens = page.getByRole('table', { name: 'Your API tokens' })
    await tokens.locator('[data-token-name="nightly import"]').getByText('never').waitFor()
    const byToken = apiClient(suite.server.url, { authorization: `Bearer ${token}` })
    expect((await byToken.get('/api/me')).body).toMatchObject({ email: person.email })
    await saveScreenshot(page, 'account')

    // Read again, the token is listed as used, and is never shown again.
    await page.reload()
    await tokens.locator('[data-token-name="nightly import"]').waitFor()
    expect(await page.getByLabel('The new token', { exact: true }).count()).toBe(0)
    await page.getByRole('button', { name: `Revoke the token ${isolate('nightly import')}` }).click()
    await page.getByText('You have no API tokens.').waitFor()
    expect((await byToken.get('/api/me')).status).toBe(401)
  }, WHOLE_PAGE_MS)
})
