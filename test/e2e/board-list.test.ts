/**
 * The board list as a team lead uses it: each board's marking, last change,
 * counts and review status, search; an owner archives a board (it leaves the
 * list, opens read-only for everyone, and is restored from the Archived view
 * or its own banner); the admin deletes one after typing its title, and a
 * person who had it open is told it is gone. And the review status where it
 * matters on a board: the header, the Snapshot menu and the export dialog.
 */
import { expect, it } from 'vitest'
import { sessionHeaders, signIn as apiSignIn, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { horizontalOverflow } from '../helpers/layout.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { isolate, quoted } from '../../shared/bidi.ts'

describeInBrowser('the board list', () => {
  const suite = browserSuite({ owner: 'Olga Owner', editor: 'Ed Editor', reviewer: 'Rita Reviewer', admin: 'Ada Admin' })

  /** A member's own API client, signed in as them. */
  async function apiOf(account: TestAccount) {
    return apiClient(suite.server.url, sessionHeaders(suite.server, await apiSignIn(suite.server, account)))
  }
  /** Each test walks a whole page through the real server: room for a loaded machine. */
  const WHOLE_PAGE_MS = 120_000

  async function makeAdmin() {
    await suite.server.services.storage.users.setAdmin(suite.accounts.admin.id, true)
  }

  it('shows marking, last change, counts and review status, and finds boards by search', async () => {
    const { owner, editor, reviewer } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Wagner mutiny — Vilnius', [
      { account: editor, role: 'editor' },
      { account: reviewer, role: 'reviewer' },
    ])
    await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:RED' })
    await seedBoard(api, boardId, { claim: 'Columns moved north.', assessments: [{ title: 'Wagner is absorbed' }, { title: 'Prigozhin goes to Minsk' }] })
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    const reviewerApi = await apiOf(reviewer)
    await reviewerApi.put(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/signoff`, { decision: 'changes-requested', note: 'Source the Minsk claim.' })
    const other = await createBoardFor(suite.server, owner, 'Baltic watch', [{ account: editor, role: 'editor' }])

    const { page } = await suite.person(editor)
    await page.goto(`${suite.server.url}/`)
    const row = page.locator(`tr[data-board-id="${boardId}"]`)
    await row.getByText('TLP:RED').waitFor({ timeout: 15_000 })
    await row.locator('td.number', { hasText: '2' }).waitFor()
    await row.locator('td.number', { hasText: '1' }).waitFor()
    expect(await row.locator('[data-review-status="changes-requested"]').getAttribute('aria-label')).toContain(`Changes requested by ${isolate('Rita Reviewer')}`)
    expect(await row.locator('td.dtg').innerText()).toMatch(/^\d{6}Z [A-Z]{3} \d{2}$/)
    await page.locator(`tr[data-board-id="${other.boardId}"]`).locator('[data-review-status="not-reviewed"]').waitFor()
    const headers = await page.getByRole('table', { name: 'Boards' }).locator('th').allInnerTexts()
    expect(headers.map((h) => h.trim())).toEqual(['BOARD', 'MARKING', 'LAST CHANGE', 'ASSESSMENTS', 'CLAIMS', 'REVIEW', 'YOUR ROLE', 'ACTIONS'])
    await saveScreenshot(page, 'board-list')
    // A 1024 px window holds every column without sideways scrolling.
    await page.setViewportSize({ width: 1024, height: 768 })
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await saveScreenshot(page, 'board-list-1024')
    await page.setViewportSize({ width: 1440, height: 900 })

    const search = page.getByLabel('Search boards')
    await search.fill('baltic')
    await page.locator(`tr[data-board-id="${other.boardId}"]`).waitFor()
    expect(await row.count()).toBe(0)
    await search.fill('changes requested')
    await row.waitFor()
    expect(await page.locator(`tr[data-board-id="${other.boardId}"]`).count()).toBe(0)
    await search.fill('tlp:red wagner')
    await row.waitFor()
    await search.fill('nothing like this')
    await page.getByText('No board matches “nothing like this”.').waitFor()
    // An editor neither archives nor deletes.
    await search.fill('')
    expect(await row.getByRole('button', { name: /Archive|Delete/ }).count()).toBe(0)
  }, WHOLE_PAGE_MS)

  it('an owner archives a board: read-only for everyone, listed apart, restored from its banner', async () => {
    const { owner, editor } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, owner, 'To archive', [{ account: editor, role: 'editor' }])
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Kept card' })
    const ed = await suite.personOn(editor, boardId)
    await ed.page.getByRole('button', { name: /New assessment/ }).waitFor()

    const olga = await suite.person(owner)
    await olga.page.goto(`${suite.server.url}/`)
    await olga.page.getByRole('button', { name: `Archive ${isolate('To archive')}` }).click()
    await olga.page.getByText('is archived').waitFor()
    expect(await olga.page.locator(`tr[data-board-id="${boardId}"]`).count()).toBe(0)
    await olga.page.getByRole('button', { name: 'Archived (1)' }).click()
    await olga.page.locator(`tr[data-board-id="${boardId}"]`).getByText(/Archived by Olga Owner/).waitFor()

    // The editor who had it open is now read-only, and told why.
    await ed.page.locator('[data-archived-banner]').getByText('Archived').first().waitFor()
    await ed.page.locator('[data-link="connected"]', { hasText: 'read-only' }).waitFor()
    expect(await ed.page.getByRole('button', { name: /New assessment/ }).count()).toBe(0)
    expect(await ed.page.getByRole('button', { name: 'Restore the board' }).count()).toBe(0)
    await saveScreenshot(ed.page, 'board-archived')

    // The owner restores it from the board's own banner; the editor can edit again.
    await openBoard(olga, suite.server, boardId)
    await olga.page.getByRole('button', { name: 'Restore the board' }).click()
    await olga.page.getByRole('button', { name: /New assessment/ }).waitFor()
    await ed.page.getByRole('button', { name: /New assessment/ }).waitFor()
    expect(await ed.page.locator('[data-archived-banner]').count()).toBe(0)
    expect((await boardModel(api, boardId)).assessments.map((a) => a.title)).toEqual(['Kept card'])
  }, WHOLE_PAGE_MS)

  it('the admin deletes a board after typing its title; whoever had it open is told it is gone', async () => {
    const { owner, editor, admin } = suite.accounts
    await makeAdmin()
    const { boardId } = await createBoardFor(suite.server, owner, 'Doomed board', [{ account: editor, role: 'editor' }])
    const ed = await suite.personOn(editor, boardId)

    const olga = await suite.person(owner)
    await olga.page.goto(`${suite.server.url}/`)
    await olga.page.locator(`tr[data-board-id="${boardId}"]`).waitFor()
    expect(await olga.page.getByRole('button', { name: `Delete ${isolate('Doomed board')}` }).count()).toBe(0)

    const ada = await suite.person(admin)
    await ada.page.goto(`${suite.server.url}/`)
    await ada.page.getByRole('button', { name: `Delete ${isolate('Doomed board')}` }).click()
    const dialog = ada.page.getByRole('dialog', { name: `Delete ${quoted('Doomed board')}?` })
    const confirm = dialog.getByRole('button', { name: 'Delete the board' })
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Type the board’s title to confirm').fill('Doomed')
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Type the board’s title to confirm').fill('Doomed board')
    await confirm.click()
    await ada.page.getByText('“Doomed board” is deleted.').waitFor()
    expect(await ada.page.locator(`tr[data-board-id="${boardId}"]`).count()).toBe(0)
    await ed.page.getByRole('heading', { name: 'This board is not available' }).waitFor()
    expect(await suite.server.services.storage.boards.get(boardId)).toBeUndefined()
  }, WHOLE_PAGE_MS)

  it('shows the latest sign-offs in the header, the Snapshot menu and the export dialog', async () => {
    const { owner, reviewer } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Reviewed board', [{ account: reviewer, role: 'reviewer' }])
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Judged card' })
    const first = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Draft 1' })
    const olga = await suite.personOn(owner, boardId)
    await olga.page.locator('[data-header-review] [data-review-status="not-reviewed"]').waitFor()

    const reviewerApi = await apiOf(reviewer)
    await reviewerApi.put(`/api/boards/${boardId}/snapshots/${first.body.id}/signoff`, { decision: 'approved' })
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Second card' })
    const second = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Draft 2' })
    await reviewerApi.put(`/api/boards/${boardId}/snapshots/${second.body.id}/signoff`, { decision: 'changes-requested', note: 'Source the second card.' })

    async function openExport(format: string) {
      await olga.page.getByRole('button', { name: /^Export (the board|this snapshot)$/ }).click()
      await olga.page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: new RegExp(`^${format}…`) }).click()
      return olga.page.getByRole('dialog', { name: /^Export “/ })
    }

    // The header follows when the window regains focus (and every few seconds).
    await olga.page.evaluate(() => window.dispatchEvent(new Event('focus')))
    const header = olga.page.locator('[data-header-review]')
    await header.locator('[data-review-status="changes-requested"]').waitFor()
    expect(await header.innerText()).toContain('Draft 2')

    await olga.page.getByRole('button', { name: 'Snapshot versions of this board' }).click()
    const latest = olga.page.locator('[data-latest-review]')
    await latest.getByText('Source the second card.').waitFor()
    expect(await latest.innerText()).toContain('Rita Reviewer')
    const menuItem = olga.page.locator(`[data-snapshot-id="${first.body.id}"]`)
    expect(await menuItem.getAttribute('aria-label')).toContain(`Approved by ${isolate('Rita Reviewer')}.`)
    expect(await olga.page.locator(`[data-snapshot-id="${second.body.id}"] [data-review-status="changes-requested"]`).count()).toBe(1)
    await saveScreenshot(olga.page, 'snapshot-menu-review')
    await olga.page.keyboard.press('Escape')

    // The live board's export says it is not reviewed and names the latest review.
    const dialog = await openExport('HTML')
    await dialog.locator('[data-export-review="not-reviewed"]').waitFor()
    await dialog.locator('[data-export-latest-review="changes-requested"]').getByText(`Changes requested by ${isolate('Rita Reviewer')}.`, { exact: false }).waitFor()
    await olga.page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    // A snapshot's export states that snapshot's status, and so does the exported document.
    await olga.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${first.body.id}`)
    await openExport('HTML')
    await dialog.locator('[data-export-review="approved"]').getByText(`Approved by ${isolate('Rita Reviewer')}.`).waitFor()
    const preview = await dialog.locator('iframe').getAttribute('srcdoc')
    expect(preview).toContain('Approved by <bdi>Rita Reviewer</bdi>.')
    await saveScreenshot(olga.page, 'export-review')
  }, WHOLE_PAGE_MS)

  it('says an approval covers its snapshot once the board has changed since, in the header, the export dialog and the board list', async () => {
    const { owner, reviewer } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Approved board', [{ account: reviewer, role: 'reviewer' }])
    const card = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner settles in Belarus' })
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Draft 2' })
    await (await apiOf(reviewer)).put(`/api/boards/${boardId}/snapshots/${snapshot.body.id}/signoff`, { decision: 'approved' })

    const olga = await suite.personOn(owner, boardId)
    const header = olga.page.locator('[data-header-review] [data-review-status="approved"]')
    await header.waitFor()
    expect(await header.getAttribute('data-changed-since')).toBe('false')
    expect(await header.innerText()).not.toContain('changed since')

    await api.patch(`/api/boards/${boardId}/assessments/${card.body.id}`, { title: 'Wagner leaves Belarus' })
    await olga.page.evaluate(() => window.dispatchEvent(new Event('focus')))
    const changed = olga.page.locator('[data-header-review] [data-review-status="approved"][data-changed-since="true"]')
    await changed.waitFor()
    expect((await changed.innerText()).replace(/\s+/g, ' ')).toContain('Approved · Draft 2 · changed since')
    expect(await changed.getAttribute('aria-label')).toContain('The board has changed since: the review covers that snapshot, not the board as it is now.')
    // The cue is drawn inside the chip, never cut off by it.
    const [chip, cue] = [await changed.boundingBox(), await changed.locator('.changed').boundingBox()]
    expect(cue!.x + cue!.width).toBeLessThanOrEqual(chip!.x + chip!.width)
    await saveScreenshot(olga.page, 'header-approved-changed-since')

    await olga.page.getByRole('button', { name: 'Export the board' }).click()
    await olga.page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: /^HTML…/ }).click()
    const dialog = olga.page.getByRole('dialog', { name: /^Export “/ })
    await dialog.locator('[data-export-latest-review="approved"]').getByText('The board has changed since that snapshot, so the review does not cover this export.', { exact: false }).waitFor()
    await dialog.locator('iframe[srcdoc*="does not cover this briefing"]').waitFor()
    expect(await dialog.locator('iframe').getAttribute('srcdoc')).toContain('The board has changed since: that review does not cover this briefing.')
    await olga.page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    await olga.page.goto(`${suite.server.url}/`)
    const listed = olga.page.locator(`tr[data-board-id="${boardId}"] [data-review-status="approved"][data-changed-since="true"]`)
    await listed.waitFor()
    expect((await listed.innerText()).replace(/\s+/g, ' ')).toContain('Approved · Draft 2 · changed since')
  }, WHOLE_PAGE_MS)
})
