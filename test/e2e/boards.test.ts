/**
 * From the door to a board: first-run set-up of the admin, signing in through
 * the form, the board list (create, open), and a board's settings (title,
 * handling marking, likelihood profile) as the cards then show them.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { createBoardFor, launchBrowser, saveScreenshot, startBrowserServer } from '../helpers/browser.ts'
import type { TestServer } from '../helpers/test-server.ts'

const SAMPLE = fileURLToPath(new URL('../../server/demo/wagner-vilnius-article.txt', import.meta.url))

describe('boards', () => {
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
    await dialog.getByLabel('Or paste the text').fill(readFileSync(SAMPLE, 'utf8'))
    await dialog.getByText(/new claims from \d+ sources/).waitFor()
    await dialog.getByRole('button', { name: 'Import' }).click()
    await page.locator('[data-claim-id]').first().waitFor()
    await page.getByRole('option', { name: /^F6 NATO:/ }).first().waitFor()
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
    await page.locator('.chip.likelihood', { hasText: 'likely, 55–80%' }).waitFor()

    await page.getByRole('link', { name: 'Boards' }).click()
    await page.getByRole('button', { name: 'Settings of Untitled watch' }).click()
    const dialog = page.getByRole('dialog', { name: 'Board settings' })
    await dialog.getByLabel('Title').fill('Baltic watch')
    await dialog.getByLabel('Handling marking').selectOption('TLP:RED')
    await dialog.getByLabel('Likelihood profile').selectOption('icd203-alt')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('link', { name: 'Baltic watch' }).click()
    await page.getByRole('note', { name: 'Handling marking' }).filter({ hasText: 'TLP:RED' }).waitFor()
    await page.locator('.chip.likelihood', { hasText: 'probable, 55–80%' }).waitFor()
    await saveScreenshot(page, 'board-red-profile-b')

    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect({ title: board.title, marking: board.marking, profile: board.profile }).toEqual({ title: 'Baltic watch', marking: 'TLP:RED', profile: 'icd203-alt' })
    await context.close()
  })
})
