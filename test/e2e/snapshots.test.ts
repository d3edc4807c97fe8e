/**
 * Snapshots in the browser: an analyst makes one from the header, a reviewer
 * opens its link, comments, gives a verdict and signs it off, and the analyst
 * sees the comment beside the card on the live board, replies and resolves
 * it. A snapshot compared with the live board colours what changed and shows
 * the words that did; an owner restores it, keeping a restore point.
 */
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { COMMENT_LISTING_BOUNDS, COMMENT_LISTING_WORDS, type SnapshotReview, type SnapshotSummary } from '../../shared/snapshot-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { dateTimeGroup } from '../../shared/date-time-group.ts'
import { signedInClient } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard, type BoardApi } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { isolate, quoted } from '../../shared/bidi.ts'

const card = (page: Page, id: string) => page.locator(`#card-${id}`)

/** Opens "Snapshot ▾" in the header. */
async function openSnapshotMenu(page: Page) {
  await page.getByRole('button', { name: 'Snapshot versions of this board' }).click()
  return page.getByRole('menu', { name: 'Snapshot' })
}

describeInBrowser('snapshots and review in the browser', () => {
  const suite = browserSuite({ analyst: 'Ana Petrova', reviewer: 'Carol Reviewer' })

  /** A board Ana owns and Carol reviews: one source, one claim, two assessments (one linked). */
  async function reviewedBoard(title: string) {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, title, [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    await api.patch(`/api/boards/${boardId}`, { marking: 'TLP:AMBER', question: 'Will Wagner forces move against Lithuania?' })
    const { assessments: [main, other] } = await seedBoard(api, boardId, {
      claim: 'Wagner fighters arrived in Belarus.',
      assessments: [
        {
          title: 'Incursion into Lithuania',
          judgment: 'An incursion from Belarus within the month is unlikely.',
          likelihood: 3,
          confidence: 'moderate',
          impact: 'major',
          claimLink: 'I',
        },
        { title: 'Provocations at the border', likelihood: 5 },
      ],
    })
    return { boardId, api, main, other }
  }

  async function snapshots(api: BoardApi, boardId: string) {
    return (await api.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
  }

  it('a reviewer opens a snapshot link, comments, and the analyst sees the comment', async () => {
    const { boardId, api, main } = await reviewedBoard('Wagner — Vilnius')
    const ana = await suite.personOn(suite.accounts.analyst, boardId)
    const carol = await suite.person(suite.accounts.reviewer)

    // Ana makes a snapshot from the header.
    let menu = await openSnapshotMenu(ana.page)
    await menu.getByRole('menuitem', { name: 'Make snapshot…' }).click()
    await ana.page.getByLabel('Label').fill('Draft for review')
    await ana.page.getByRole('button', { name: 'Make snapshot' }).click()
    await ana.page.locator('dialog[open]').waitFor({ state: 'detached' })
    const [snapshot] = await snapshots(api, boardId)
    expect(snapshot).toMatchObject({ label: 'Draft for review', kind: 'named', authorName: 'Ana Petrova' })

    // The menu lists it, newest first, with its kind, author, DTG and the start of its hash; the item is its link.
    menu = await openSnapshotMenu(ana.page)
    const item = menu.locator(`[data-snapshot-id="${snapshot!.id}"]`)
    await item.waitFor()
    const line = await item.textContent()
    for (const part of ['Draft for review', 'named', 'Ana Petrova', dateTimeGroup(snapshot!.createdAt), snapshot!.contentHash.slice(0, 8)]) expect(line).toContain(part)
    const link = await item.getAttribute('href')
    await saveScreenshot(ana.page, 'snapshot-menu')
    expect(link).toBe(`/boards/${boardId}/snapshots/${snapshot!.id}`)
    // By keyboard: the arrows move through the items, Esc closes the menu and goes back to its button.
    await ana.page.keyboard.press('ArrowDown')
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem')
    await ana.page.keyboard.press('Escape')
    expect(await ana.page.getByRole('menu').count()).toBe(0)
    expect(await ana.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Snapshot versions of this board')

    // Carol opens the link: the whole board, read-only, under the snapshot's banner.
    const page = carol.page
    await page.goto(suite.server.url + link)
    const banner = page.locator(`section[data-snapshot-id="${snapshot!.id}"]`)
    await banner.waitFor()
    const bannerText = await banner.textContent()
    for (const part of ['Snapshot', '“Draft for review”', dateTimeGroup(snapshot!.createdAt), snapshot!.contentHash.slice(0, 8), 'read-only']) expect(bannerText).toContain(part)
    await expect(page.locator('[role="note"][aria-label="Handling marking"]').textContent()).resolves.toBe('TLP:AMBER')
    expect(await page.locator('[contenteditable="true"]').count()).toBe(0)
    expect(await page.getByRole('button', { name: /New assessment|Restore this version/ }).count()).toBe(0)

    // She comments on the assessment, gives her verdict and signs the snapshot off.
    await card(page, main).click()
    const review = page.locator(`[data-review-of="${main}"]`)
    await review.getByLabel('Comment on this assessment').fill('The judgment leans on one NATO claim; is there a second source?')
    await review.getByRole('button', { name: 'Comment', exact: true }).click()
    await review.locator('.thread', { hasText: 'is there a second source?' }).waitFor()
    // The Comment button turned disabled while sending; the focus went back to the field, not to the page.
    await waitFor(() => page.evaluate((id) => document.activeElement?.matches(`[data-review-of="${id}"] textarea`) ?? false, main), 'the comment field to take the focus back')
    await review.getByRole('radio', { name: 'Agree', exact: true }).click()
    await review.getByRole('radio', { name: 'Agree', exact: true, checked: true }).waitFor()
    await card(page, main).locator('[data-open-threads="1"]').waitFor()
    await banner.getByRole('button', { name: 'Sign off…' }).click()
    await page.getByLabel('Changes requested').check()
    await page.getByLabel(/Note/).fill('Add a second source to the first judgment.')
    await page.getByRole('button', { name: 'Sign off', exact: true }).click()
    await banner.locator('[data-signoff="changes-requested"]', { hasText: 'Carol Reviewer' }).waitFor()
    await saveScreenshot(page, 'snapshot-review')

    const stored = (await api.get<SnapshotReview>(`/api/boards/${boardId}/snapshots/${snapshot!.id}/review`)).body
    expect(stored.comments).toMatchObject([{ assessmentId: main, authorName: 'Carol Reviewer', parentId: null, resolvedAt: null }])
    expect(stored.verdicts).toMatchObject([{ assessmentId: main, reviewerName: 'Carol Reviewer', verdict: 'agree' }])
    expect(stored.signoffs).toMatchObject([{ reviewerName: 'Carol Reviewer', decision: 'changes-requested', note: 'Add a second source to the first judgment.' }])

    // Ana, still on the live board, sees the open thread on the card (the board polls) and reads it in the inspector.
    await card(ana.page, main).locator('[data-open-threads="1"]').waitFor({ timeout: 20_000 })
    await card(ana.page, main).click()
    const thread = ana.page.locator('.inspector .thread', { hasText: 'is there a second source?' })
    await thread.waitFor()
    expect(await thread.textContent()).toContain('Carol Reviewer')
    expect(await thread.getByRole('link', { name: '“Draft for review”' }).getAttribute('href')).toBe(link)
    await saveScreenshot(ana.page, 'live-open-threads')

    // She replies and resolves it from the live board; Carol sees the reply on the snapshot.
    await thread.getByRole('button', { name: 'Reply' }).click()
    await thread.getByLabel(`Reply to ${isolate('Carol Reviewer')}`).fill('Added the Lithuanian border guard report.')
    await thread.getByRole('button', { name: 'Reply', exact: true }).click()
    await thread.locator('.comment.reply', { hasText: 'Lithuanian border guard' }).waitFor()
    // The reply box closed on sending; the focus went to the thread's Reply button, not to the page.
    await waitFor(() => ana.page.evaluate(() => document.activeElement?.matches('.inspector .thread .actions button') && document.activeElement.textContent === 'Reply'), 'the Reply button to take the focus')
    await thread.getByRole('button', { name: 'Resolve' }).click()
    await card(ana.page, main).locator('[data-open-threads]').waitFor({ state: 'detached' })
    expect(await ana.page.locator('.inspector .thread').count()).toBe(0)

    // Coming back to the window refreshes the review at once.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')))
    await review.getByRole('button', { name: 'Show 1 resolved thread' }).click()
    await review.locator('.thread.resolved .comment.reply', { hasText: 'Lithuanian border guard' }).waitFor()
    await card(page, main).locator('[data-open-threads]').waitFor({ state: 'detached' })
  })

  it('compares a snapshot with the live board: changed cards coloured, words diffed, the changes listed', async () => {
    const { boardId, api, main, other } = await reviewedBoard('Compared board')
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    const [snapshot] = await snapshots(api, boardId)
    await api.patch(`/api/boards/${boardId}/assessments/${main}`, {
      judgment: 'An incursion from Belarus within the month is very unlikely.',
      likelihood: 2,
    })
    await api.delete(`/api/boards/${boardId}/assessments/${other}`)
    const added = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Sabotage of rail links', likelihood: 4 })).body.id

    const carol = await suite.person(suite.accounts.reviewer)
    const page = carol.page
    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot!.id}`)
    await page.locator(`section[data-snapshot-id="${snapshot!.id}"]`).waitFor()
    // The snapshot as it was: the removed card is there, the added one is not.
    await card(page, other).waitFor()
    expect(await card(page, added).count()).toBe(0)

    await page.getByRole('button', { name: 'Compare with live' }).click()
    await page.waitForURL(/\?compare=live$/)
    await card(page, main).locator('[data-change="changed"]').waitFor()
    await card(page, other).locator('[data-change="removed"]').waitFor()
    await card(page, added).locator('[data-change="added"]').waitFor()
    expect(await page.locator('[data-count="added"]').textContent()).toBe('1 added')
    expect(await page.locator('[data-count="removed"]').textContent()).toBe('1 removed')
    expect(await page.locator('[data-count="changed"]').textContent()).toBe('1 changed')
    // The cards keep the snapshot's values (what its review judges); the live ones are shown only as the change.
    expect(await page.locator('[data-values-of="snapshot"]').textContent()).toContain("this snapshot's values")
    expect(await card(page, main).textContent()).not.toContain('very unlikely')

    // The list of changes shows the words that changed; the inspector shows the card's own changes.
    const changes = page.getByRole('region', { name: 'List of changes' })
    const row = changes.locator(`[data-change-row="changed:${main}"]`)
    expect(await row.locator('del').allTextContents()).toContain('unlikely, 20–45%')
    expect(await row.locator('ins').allTextContents()).toEqual([expect.stringContaining('very')])
    await row.getByRole('button', { name: 'Incursion into Lithuania' }).click()
    const detail = page.locator('.inspector .change-detail')
    await detail.waitFor()
    expect(await detail.textContent()).toContain('very unlikely, 5–20%')
    const likelihood = page.locator('.inspector').getByRole('radiogroup', { name: 'Likelihood' })
    expect(await likelihood.getByRole('radio', { checked: true }).textContent()).toMatch(/^\s*unlikely/)
    expect(await page.locator('.inspector').textContent()).toContain('An incursion from Belarus within the month is unlikely.')
    await saveScreenshot(page, 'snapshot-compare')

    // The address keeps the comparison: reloading shows it again; stopping puts the snapshot's own content back.
    await page.reload()
    await card(page, added).locator('[data-change="added"]').waitFor()
    await page.getByRole('button', { name: 'Stop comparing' }).click()
    await card(page, added).waitFor({ state: 'detached' })
    expect(await page.locator('[data-change]').count()).toBe(0)
    expect(page.url()).toBe(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot!.id}`)
  })

  it('lets an owner restore a snapshot after a confirmation that says a restore point is kept', async () => {
    const { boardId, api, main, other } = await reviewedBoard('Restored board')
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Before the rewrite' })
    const [snapshot] = await snapshots(api, boardId)
    const before = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    await api.patch(`/api/boards/${boardId}/assessments/${main}`, { title: 'Rewritten title' })
    await api.delete(`/api/boards/${boardId}/assessments/${other}`)

    const ana = await suite.person(suite.accounts.analyst)
    await ana.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot!.id}`)
    await ana.page.getByRole('button', { name: 'Restore this version' }).click()
    const dialog = ana.page.getByRole('dialog', { name: 'Restore this version?' })
    expect(await dialog.textContent()).toContain('restore point')
    await dialog.getByRole('button', { name: 'Restore this version' }).click()

    // Back on the live board, which is the snapshot again; what it replaced is kept as a restore point.
    await ana.page.waitForURL(`${suite.server.url}/boards/${boardId}`)
    await ana.page.locator('[role="status"][data-link="connected"]').waitFor()
    await card(ana.page, other).waitFor()
    await card(ana.page, main).filter({ hasText: 'Incursion into Lithuania' }).waitFor()
    await waitFor(async () => {
      const now = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
      return JSON.stringify(now.assessments) === JSON.stringify(before.assessments)
    }, 'the live board equals the snapshot')
    const list = await snapshots(api, boardId)
    expect(list[0]).toMatchObject({ kind: 'restore' })
    const menu = await openSnapshotMenu(ana.page)
    await menu.locator(`[data-snapshot-id="${list[0]!.id}"]`, { hasText: 'restore point' }).waitFor()
  })

  it('shows every time as a DTG, the same on the banner, the comments and the inspector, in a browser in another zone', async () => {
    const { boardId, api, main } = await reviewedBoard('Times shown')
    const snapshot = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Evening brief' })).body
    const carolApi = await signedInClient(suite.server, suite.accounts.reviewer)
    const comment = (await carolApi.post<{ createdAt: string }>(`/api/boards/${boardId}/snapshots/${snapshot.id}/comments`, { assessmentId: main, body: 'When was this?' })).body
    const created = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.find((a) => a.id === main)!.createdAt

    const carol = await suite.person(suite.accounts.reviewer, { timezoneId: 'America/New_York' })
    const page = carol.page
    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.id}`)
    const banner = page.locator(`section[data-snapshot-id="${snapshot.id}"]`)
    await banner.waitFor()
    expect(await banner.textContent()).toContain(dateTimeGroup(snapshot.createdAt))
    await card(page, main).click()
    const time = page.locator(`[data-review-of="${main}"] .thread time`).first()
    await time.waitFor()
    expect(await time.textContent()).toBe(dateTimeGroup(comment.createdAt))
    // The local time is the hint beside it, its zone named.
    expect(await time.getAttribute('title')).toMatch(/EST|GMT-5/)
    const inspector = page.locator(`[data-inspecting="${main}"]`)
    expect(await inspector.locator('time', { hasText: dateTimeGroup(created) }).count()).toBeGreaterThan(0)
    expect(await page.locator('body').textContent()).not.toMatch(/\d{1,2}:\d{2}\s?[AP]M/)
  })

  it('lets an owner delete a snapshot nobody reviewed, after a confirmation; a reviewed one offers no deletion', async () => {
    const { boardId, api, main } = await reviewedBoard('Pruned board')
    const kept = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Reviewed draft' })).body
    const spare = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Spare draft' })).body
    const carol = await signedInClient(suite.server, suite.accounts.reviewer)
    expect((await carol.post(`/api/boards/${boardId}/snapshots/${kept.id}/comments`, { assessmentId: main, body: 'Which source?' })).status).toBe(201)

    const ana = await suite.person(suite.accounts.analyst)
    await ana.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${spare.id}`)
    await ana.page.getByRole('button', { name: 'Delete this snapshot…' }).click()
    const dialog = ana.page.getByRole('dialog', { name: 'Delete this snapshot?' })
    expect(await dialog.textContent()).toContain('named snapshot “Spare draft”')
    await dialog.getByRole('button', { name: 'Delete the snapshot' }).click()
    await ana.page.waitForURL(`${suite.server.url}/boards/${boardId}`)
    await ana.page.getByText(`Snapshot ${quoted('Spare draft')} deleted.`).waitFor()
    expect((await snapshots(api, boardId)).map((s) => s.id)).toEqual([kept.id])

    // The reviewed one shows its review and no way to delete it.
    await ana.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${kept.id}`)
    await ana.page.getByRole('button', { name: 'Restore this version' }).waitFor()
    await card(ana.page, main).locator('[data-open-threads="1"]').waitFor()
    expect(await ana.page.getByRole('button', { name: 'Delete this snapshot…' }).count()).toBe(0)
  })

  it('says when older review threads are left out of a listing, on the live board and on the snapshot', async () => {
    const { boardId, api, main } = await reviewedBoard('Flooded board')
    const snapshot = (await api.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Flooded draft' })).body
    // Threads of the longest body, a few more than one listing holds (COMMENT_LISTING_BOUNDS).
    const threads = Math.floor(COMMENT_LISTING_BOUNDS.bytes / LIMITS.longText) + 2
    for (let i = 0; i < threads; i++) {
      const written = await api.post(`/api/boards/${boardId}/snapshots/${snapshot.id}/comments`, { assessmentId: main, body: 'x'.repeat(LIMITS.longText) })
      expect(written.status).toBe(201)
    }
    const ana = await suite.personOn(suite.accounts.analyst, boardId)
    await card(ana.page, main).click()
    const liveNote = ana.page.locator('.inspector [data-threads-truncated]')
    await liveNote.waitFor()
    expect(await liveNote.textContent()).toContain('Older open review threads are not shown')

    await ana.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.id}`)
    const snapshotNote = ana.page.locator(`section[data-snapshot-id="${snapshot.id}"] [data-threads-truncated]`)
    await snapshotNote.waitFor()
    expect(await snapshotNote.textContent()).toContain(COMMENT_LISTING_WORDS)
  })
})
