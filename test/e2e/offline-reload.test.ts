/**
 * The app shell is kept by a service worker: a board kept in this browser
 * opens after a reload with the network gone.
 */
import { expect, it } from 'vitest'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, waitInPage, waitSaved } from '../helpers/browser.ts'

describeInBrowser('offline reload', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('opens the board kept in the browser after a reload while offline', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Offline reload')
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Kept for the flight' })
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const { page } = ana
    const card = page.locator('[data-card-id]', { hasText: 'Kept for the flight' })
    await card.waitFor()
    await waitSaved(ana)

    // The service worker controls the page and has kept the shell; the offline copy holds the board.
    await waitInPage(page, () => navigator.serviceWorker.controller !== null, (controlled) => controlled, 'the service worker to control the page')
    await waitInPage(
      page,
      async () => (await caches.open('assay-shell-v1').then((cache) => cache.keys())).map((request) => new URL(request.url).pathname),
      (kept) => kept.includes('/index.html') && kept.some((path) => path.startsWith('/assets/') && path.endsWith('.js')),
      'the app shell to be kept',
    )
    await waitInPage(
      page,
      async (): Promise<string[]> => (await indexedDB.databases()).map((database) => database.name ?? ''),
      (names) => names.some((name) => name.includes(boardId)),
      'the offline copy of the board',
    )

    await ana.context.setOffline(true)
    await page.reload()
    await card.waitFor({ timeout: 15_000 })
    await page.locator('[role="status"][data-link="offline"]').waitFor()
    await saveScreenshot(page, 'offline-reload')

    // And an edit made there waits, kept in the browser.
    await page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('n')
    await page.keyboard.type('Written on the plane')
    await page.keyboard.press('Enter')
    await page.locator('[data-card-id]', { hasText: 'Written on the plane' }).waitFor()
    expect(await page.locator('[role="status"][data-link="offline"]').innerText()).toContain('edits kept here')

    await ana.context.setOffline(false)
    await openBoard(ana, suite.server, boardId)
    await waitSaved(ana)
    expect((await api.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)).body.assessments.map((a) => a.title).sort()).toEqual([
      'Kept for the flight',
      'Written on the plane',
    ])
  })
})
