/**
 * The History tab while people edit: it reads the editing sessions again as
 * the board changes, without being reopened; while the server is out of reach
 * it keeps the sessions it shows, with no error of its own, and reads them
 * once the server answers again. A session's times are written as one time
 * when it began and ended within the same minute, and otherwise with what its
 * two ends share written once.
 */
import { expect, it } from 'vitest'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'
import { waitFor } from '../helpers/wait-for.ts'

const clock = testClock(Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 60 * MINUTE)

describeInBrowser('the History tab', () => {
  const suite = browserSuite({ analyst: 'Ana Petrova', reviewer: 'Carol Reviewer' }, { clock })

  it('lists a new session while it is open, and keeps what it shows while the server is out of reach', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — sessions as they come', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3 }] })
    clock.advance(20 * MINUTE)
    // The page reaches the server through a proxy that can drop it: to the page, as if the server had gone away.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(suite.server.url).port) })
    try {
      const { page } = await suite.person(suite.accounts.reviewer)
      await page.goto(`http://127.0.0.1:${proxy.port}/boards/${boardId}`)
      await page.locator('[role="status"][data-link="connected"]').waitFor({ timeout: 15_000 })
      await page.getByRole('tab', { name: 'History' }).click()
      const rows = page.getByRole('list', { name: 'Editing sessions, newest first' }).locator('li')
      await rows.first().waitFor()
      expect(await rows.count()).toBe(1)

      // Ana edits twenty minutes later: a new session, listed in the open tab.
      expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 5 })).status).toBe(200)
      await waitFor(async () => (await rows.count()) === 2, 'the new session to be listed in the open tab', 20_000)

      // Her next edit reaches the tab, and the server goes out of reach as the tab reads the sessions again.
      clock.advance(20 * MINUTE)
      const sessionsRead = new RegExp(`GET /api/boards/${boardId}/history HTTP`)
      const hold = proxy.holdRequests(sessionsRead)
      const isSessionsRead = (url: string) => new URL(url).pathname === `/api/boards/${boardId}/history`
      const failures: string[] = []
      page.on('requestfailed', (request) => {
        if (isSessionsRead(request.url())) failures.push(request.url())
      })
      expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 6 })).status).toBe(200)
      await hold.held
      proxy.cut()
      hold.release()
      // Read again and again while out of reach; the sessions shown stay, and no error is shown.
      await waitFor(() => failures.length >= 2, 'the sessions to be read again while the server is out of reach', 20_000)
      expect(await page.locator('.history-panel [role="alert"]').count()).toBe(0)
      expect(await rows.count()).toBe(2)
      await saveScreenshot(page, 'history-tab-unreachable')

      const answered = page.waitForResponse((response) => isSessionsRead(response.url()) && response.ok(), { timeout: 20_000 })
      proxy.restore()
      await answered
      await waitFor(async () => (await rows.count()) === 3, 'the session made while the server was out of reach to be listed', 20_000)
      expect(await page.locator('.history-panel [role="alert"]').count()).toBe(0)
    } finally {
      await proxy.close()
    }
  })

  it('writes a session within one minute as one time, and a longer one with what its ends share once', async () => {
    // At the start of a minute: the first session's edits, twenty seconds apart, fall in the same minute.
    clock.advance(MINUTE - (clock().getTime() % MINUTE))
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — times', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3 }] })
    clock.advance(20_000)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 4 })).status).toBe(200)
    clock.advance(20 * MINUTE)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 5 })).status).toBe(200)
    clock.advance(3 * MINUTE)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 6 })).status).toBe(200)
    clock.advance(MINUTE)

    const { page } = await suite.personOn(suite.accounts.reviewer, boardId)
    await page.getByRole('tab', { name: 'History' }).click()
    const rows = page.getByRole('list', { name: 'Editing sessions, newest first' }).locator('li')
    await rows.first().waitFor()
    expect(await rows.count()).toBe(2)
    // DTGs (`281342Z NOV 26`), and a later time of the same day as `1350Z`.
    const times = (text: string) => text.match(/\d{4}Z/g) ?? []

    const older = rows.nth(1).locator('.when')
    const withinAMinute = (await older.textContent()) ?? ''
    expect(times(withinAMinute)).toHaveLength(1)
    expect(withinAMinute).not.toMatch(/[–-]/)
    // Of edits twenty seconds apart.
    expect(Date.parse((await older.getAttribute('data-to'))!) - Date.parse((await older.getAttribute('data-from'))!)).toBe(20_000)

    const threeMinutes = (await rows.nth(0).locator('.when').textContent()) ?? ''
    expect(times(threeMinutes)).toHaveLength(2)
    // Both ends are on one UTC day (the test clock is past midnight only if the span is): the month and year are written once.
    expect((threeMinutes.match(/[A-Z]{3} \d{2}/g) ?? []).length).toBeLessThanOrEqual(2)
    if (threeMinutes.match(/\d{6}Z/g)?.length === 1) expect(threeMinutes.match(/[A-Z]{3} \d{2}/g)).toHaveLength(1)
    await saveScreenshot(page, 'history-tab-times')
  })
})
