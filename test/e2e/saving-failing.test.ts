/**
 * When the server cannot store changes (a full disk), the badge says so,
 * distinct from being offline; the person's edits stay in the browser, and
 * once the server recovers they are saved and the badge says "Saved".
 */
import { expect, it } from 'vitest'
import { AppendControl, diskFullError } from '../helpers/append-control.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, waitSaved } from '../helpers/browser.ts'

const appends = new AppendControl()

describeInBrowser('saving fails on the server', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' }, { wrapStorage: appends.wrap, env: { COMMIT_FAILING_NOTICE_MS: '500', COMMIT_RETRY_MAX_MS: '500' } })

  it('the badge says saving is failing and the edits are kept; once the server recovers they are saved', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Full disk')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const badge = ana.page.locator('[role="status"][data-link]')

    appends.failWith(diskFullError())
    await ana.page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
    await ana.page.keyboard.press('n')
    await ana.page.keyboard.type('Written while the disk is full')
    await ana.page.keyboard.press('Enter')
    await ana.page.locator('[data-saving-failing="true"]').waitFor({ timeout: 15_000 })
    expect(await badge.textContent()).toContain('Saving is failing on the server; your edits are kept')
    expect(await badge.getAttribute('data-link')).toBe('connected')
    await saveScreenshot(ana.page, 'saving-failing')

    appends.failWith(null)
    await waitSaved(ana)
    await ana.page.locator('[data-saving-failing="false"]').waitFor()
    expect((await boardModel(api, boardId)).assessments.map((a) => a.title)).toEqual(['Written while the disk is full'])
  })
})
