/**
 * From the door to a board: first-run set-up of the admin, signing in through
 * the form, the board list (create, open), and a board's settings (title,
 * handling marking, likelihood profile) as the cards then show them.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { closePerson, createBoardFor, describeInBrowser, launchBrowser, openPerson, saveScreenshot, startBrowserServer } from '../helpers/browser.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { isolate } from '../../shared/bidi.ts'


describeInBrowser('boards', () => {
  let browser: Browser
  const servers: TestServer[] = []

  beforeAll(async () => {
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    for (const server of servers) await server.destroy()
  })

  it('sets up the admin on a new server, then lists, creates and opens boards', async () => {
    const server = await startBrowserServer()
    servers.push(server)
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { name: 'Create the admin account' }).waitFor()
    await page.getByLabel('Name').fill('Ada Admin')
    await page.getByLabel('Email').fill('ada@example.org')
    await page.getByLabel('Password').fill('a long enough password for Ada')
    await page.getByRole('button', { name: 'Create the admin account' }).click()
    await page.getByRole('heading', { name: 'Boards', exact: true }).waitFor()
    await page.getByText('No boards yet').waitFor()

    await page.getByLabel('New board title').fill('Baltic watch')
    await page.getByRole('button', { name: 'Create board' }).click()
    await page.waitForURL(/\/boards\/[^/]+$/)
    await page.getByRole('heading', { name: 'No assessments yet' }).waitFor()
    await page.locator('[data-link="connected"]').waitFor()
    await saveScreenshot(page, 'board-empty')

    // The empty board's first step: import the sample article, one claim per cited sentence.
    await page.getByRole('button', { name: 'Import a source document' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import a source document' })
    await dialog.getByLabel('Or paste the text').fill(SAMPLE_ARTICLE)
    await dialog.getByText(/new claims from \d+ sources/).waitFor()
    await dialog.getByRole('button', { name: 'Import' }).click()
    await page.locator('[data-claim-id]').first().waitFor()
    await page.getByRole('option', { name: /^Grade F6 NATO:/ }).first().waitFor()
    await saveScreenshot(page, 'board-imported')

    await page.getByRole('link', { name: 'Boards' }).click()
    await page.getByRole('link', { name: 'Baltic watch' }).waitFor()
    await context.close()
  })

  it('signs in through the form and changes a board’s title, marking and likelihood profile', async () => {
    const server = await startBrowserServer()
    servers.push(server)
    const owner = await addAccount(server, { name: 'Ana Petrova', password: 'correct horse battery staple' })
    const { boardId, api } = await createBoardFor(server, owner, 'Untitled watch')
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Border incidents', likelihood: 5 })

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${server.url}/boards/${boardId}`)
    await page.waitForURL(/\/signin\?next=/)
    await page.getByLabel('Email').fill(owner.email)
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor()
    await page.getByLabel('Password').fill('correct horse battery staple')
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Back to the board asked for.
    await page.waitForURL(new RegExp(`/boards/${boardId}$`))
    await page.locator('.chip.likelihood', { hasText: 'likely · 55–80%' }).waitFor()

    await page.getByRole('link', { name: 'Boards' }).click()
    await page.getByRole('button', { name: `Settings of ${isolate('Untitled watch')}` }).click()
    const dialog = page.getByRole('dialog', { name: 'Board settings' })
    await dialog.getByLabel('Title').fill('Baltic watch')
    await dialog.getByLabel('Handling marking').selectOption('TLP:RED')
    await dialog.getByLabel('Likelihood profile').selectOption('icd203-alt')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('link', { name: 'Baltic watch' }).click()
    await page.getByRole('note', { name: 'Handling marking' }).filter({ hasText: 'TLP:RED' }).waitFor()
    await page.locator('.chip.likelihood', { hasText: 'probable · 55–80%' }).waitFor()
    await saveScreenshot(page, 'board-red-profile-b')

    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect({ title: board.title, marking: board.marking, profile: board.profile }).toEqual({ title: 'Baltic watch', marking: 'TLP:RED', profile: 'icd203-alt' })
    await context.close()
  })

  it('sends another tab of a session that signs out to the sign-in page, its socket closed by the server', async () => {
    const server = await startBrowserServer()
    servers.push(server)
    const owner = await addAccount(server, { name: 'Olga Owner' })
    const { boardId } = await createBoardFor(server, owner, 'Two tabs')
    const olga = await openPerson(browser, server, owner)
    const other = await olga.context.newPage()
    for (const page of [olga.page, other]) {
      await page.goto(`${server.url}/boards/${boardId}`)
      await page.getByRole('button', { name: /New assessment/ }).waitFor()
    }
    await olga.page.getByRole('button', { name: 'Sign out' }).click()
    await other.getByRole('heading', { name: 'Sign in to Assay' }).waitFor()
    await closePerson(olga)
  })

  it('lets an owner add a member by email, invite another by a link they open, and revoke a link', async () => {
    const server = await startBrowserServer()
    servers.push(server)
    const owner = await addAccount(server, { name: 'Olga Owner' })
    const bo = await addAccount(server, { name: 'Bo Lindqvist' })
    const cy = await addAccount(server, { name: 'Cy Invited' })
    const { boardId } = await createBoardFor(server, owner, 'Shared board')

    const olga = await openPerson(browser, server, owner)
    await olga.page.goto(`${server.url}/`)
    await olga.page.getByRole('button', { name: `Members of ${isolate('Shared board')}` }).click()
    const dialog = olga.page.getByRole('dialog', { name: `Members of ${isolate('Shared board')}` })
    await dialog.getByRole('cell', { name: 'Olga Owner', exact: true }).waitFor()
    await dialog.getByLabel('Add a person who has an account').fill(bo.email)
    await dialog.getByLabel('Role of the person added').selectOption('reviewer')
    await dialog.getByRole('button', { name: 'Add' }).click()
    await dialog.getByRole('cell', { name: 'Bo Lindqvist', exact: true }).waitFor()
    expect(await dialog.getByLabel(`Role of ${isolate('Bo Lindqvist')}`).inputValue()).toBe('reviewer')
    await dialog.getByLabel('Or make an invite link for').selectOption('editor')
    await dialog.getByRole('button', { name: 'Make link' }).click()
    const link = await dialog.getByLabel('Invite link', { exact: true }).inputValue()
    expect(link).toMatch(new RegExp(`^${server.url}/invite/`))
    const openLinks = dialog.getByRole('table', { name: 'Open invite links' })
    await openLinks.getByRole('row').filter({ hasText: 'Editor' }).filter({ hasText: 'Olga Owner' }).waitFor()

    // A second link, withdrawn before anyone uses it.
    await dialog.getByLabel('Or make an invite link for').selectOption('reviewer')
    await dialog.getByRole('button', { name: 'Make link' }).click()
    // The link field already shows the first link; the new one is in it once the list shows the new link.
    await openLinks.getByRole('row').filter({ hasText: 'Reviewer' }).waitFor()
    const withdrawn = await dialog.getByLabel('Invite link', { exact: true }).inputValue()
    expect(withdrawn).not.toBe(link)
    await openLinks.getByRole('button', { name: `Revoke the reviewer link made by ${isolate('Olga Owner')}` }).click()
    await openLinks.getByRole('row').filter({ hasText: 'Reviewer' }).waitFor({ state: 'detached' })
    expect(await openLinks.getByRole('row').filter({ hasText: 'Editor' }).count()).toBe(1)
    await closePerson(olga)

    const invited = await openPerson(browser, server, cy)
    await invited.page.goto(withdrawn)
    await invited.page.getByRole('alert').filter({ hasText: 'was withdrawn' }).waitFor()
    await invited.page.goto(link)
    await invited.page.getByText('You are invited to Shared board as an editor.').waitFor()
    await invited.page.getByRole('button', { name: 'Join the board' }).click()
    await invited.page.waitForURL(new RegExp(`/boards/${boardId}$`))
    await invited.page.getByText('You joined this board as an editor.').waitFor()
    await invited.page.getByRole('button', { name: /New assessment/ }).waitFor()

    // Removed by an owner, the link they joined by lets them in no more, and the page says what to do.
    expect(await server.services.storage.members.remove(boardId, cy.id)).toBe('done')
    await invited.page.goto(link)
    await invited.page.getByRole('button', { name: 'Join the board' }).click()
    await invited.page.getByRole('alert').filter({ hasText: 'An owner removed you from this board, so invite links no longer let you in: ask an owner to add you back.' }).waitFor()
    await closePerson(invited)
  })
})
