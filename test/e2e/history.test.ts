/**
 * History in the browser: a reviewer opens the History tab, sees the editing
 * sessions by person, opens the board as it was after the first one (read-only,
 * under a banner naming the moment), and back on the live board reads in the
 * inspector who changed the likelihood, from what to what, and when. Comparing
 * a snapshot with the live board, the reviewer reads who made each change, in
 * the list of changes and in the inspector. A card with more changes than the
 * inspector lists says so. A past moment the server is too busy to rebuild
 * at first is asked for again after its Retry-After, the page saying so.
 */
import { expect, it } from 'vitest'
import { busyNote } from '../../client/src/app/busy-retry.ts'
import { withoutIsolates } from '../../shared/bidi.ts'
import { signedInClient } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard } from '../helpers/browser.ts'
import { recordChanges, turnsOf } from '../helpers/recorded-changes.ts'
import { MINUTE, testClock } from '../helpers/test-clock.ts'

const clock = testClock(Date.now())

describeInBrowser('the board’s history in the browser', () => {
  const suite = browserSuite({ analyst: 'Ana Petrova', editor: 'Ben Editor', reviewer: 'Carol Reviewer' }, { clock })

  it('lists the sessions, opens the board as it was, and names who changed the likelihood', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — history', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    clock.advance(MINUTE)
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3, confidence: 'moderate' }] })
    const firstSessionEnd = clock.iso()
    clock.advance(20 * MINUTE)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${id}`, { likelihood: 5 })).status).toBe(200)
    clock.advance(MINUTE)

    const carol = await suite.personOn(suite.accounts.reviewer, boardId)
    const { page } = carol
    await page.getByRole('tab', { name: 'History' }).click()
    const sessions = page.getByRole('list', { name: 'Editing sessions, newest first' })
    await sessions.waitFor()
    const rows = sessions.locator('li')
    // Creating the board and seeding it, then the change twenty minutes later: two sessions, newest first.
    expect(await rows.count()).toBe(2)
    for (const row of await rows.all()) expect(await row.getAttribute('data-session-by')).toBe('Ana Petrova')
    await saveScreenshot(page, 'history-tab')

    // The older session's "after" opens the board as it was then.
    await rows.nth(1).getByRole('link', { name: 'after' }).click()
    const banner = page.locator('.as-of-banner')
    await banner.waitFor()
    expect(await banner.getAttribute('data-as-of')).toBe(firstSessionEnd)
    expect(await banner.getAttribute('data-exact')).toBe('true')
    const pastCard = page.locator(`#card-${id}`)
    await pastCard.waitFor()
    expect(await pastCard.textContent()).toContain('unlikely')
    // Its inspector lists the changes up to that moment: the card made, not the likelihood changed since.
    await pastCard.click()
    const pastChanges = page.locator(`[data-history-for="${id}"]`)
    await pastChanges.locator('li[data-field="card"]').waitFor()
    expect(await pastChanges.locator('li[data-field="likelihood"]').count()).toBe(0)
    // Read-only, like a snapshot: no editing control.
    expect(await page.getByRole('button', { name: /New assessment/ }).count()).toBe(0)
    expect(await banner.getByRole('button', { name: 'Save as snapshot…' }).count()).toBe(0)
    await saveScreenshot(page, 'history-as-of')

    // Back on the live board, the inspector names who changed the likelihood.
    await banner.getByRole('link', { name: 'Open the live board' }).click()
    await page.locator('[role="status"][data-link="connected"]').waitFor({ timeout: 15_000 })
    await page.locator(`#card-${id}`).click()
    const likelihoodChange = page.locator(`[data-history-for="${id}"] li[data-field="likelihood"]`)
    await likelihoodChange.waitFor()
    const line = withoutIsolates((await likelihoodChange.textContent()) ?? '')
    expect(line).toContain('likelihood: unlikely')
    expect(line).toContain('→ likely')
    expect(line).toContain('Ana Petrova')
    await saveScreenshot(page, 'history-inspector')
  })

  it('tries a past moment again after the server’s Retry-After when history reads are busy, saying so meanwhile', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — busy history', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3 }] })
    const moment = clock.iso()
    clock.advance(MINUTE)

    const { page } = await suite.person(suite.accounts.reviewer)
    // The server's refusal past a person's share of history reads (server/http/history-reads.ts), once; the next read goes through.
    let asked = 0
    await page.route(/\/history\/state\?/, async (route) => {
      asked++
      if (asked > 1) return route.continue()
      await route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '1' },
        body: JSON.stringify({ error: { code: 'too_many_history_reads', message: "You have 2 reads of a board's history in flight on this server, as many as one person may. Wait for them to finish and try again in 1 s." } }),
      })
    })
    await page.goto(`${suite.server.url}/boards/${boardId}/history?at=${encodeURIComponent(moment)}`)
    await page.getByRole('status').filter({ hasText: busyNote(1) }).waitFor()
    const banner = page.locator('.as-of-banner')
    await banner.waitFor()
    expect(await banner.getAttribute('data-as-of')).toBe(moment)
    expect(await page.locator(`#card-${id}`).textContent()).toContain('unlikely')
    expect(asked).toBe(2)
  })

  it('names who made each change when a reviewer compares a snapshot with the live board', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — who changed it', [
      { account: suite.accounts.editor, role: 'editor' },
      { account: suite.accounts.reviewer, role: 'reviewer' },
    ])
    clock.advance(MINUTE)
    const {
      assessments: [main],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', judgment: 'An incursion is unlikely.', likelihood: 3 }] })
    clock.advance(MINUTE)
    const snapshot = await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)
    clock.advance(MINUTE)
    const ben = await signedInClient(suite.server, suite.accounts.editor)
    expect((await ben.patch(`/api/boards/${boardId}/assessments/${main}`, { likelihood: 5 })).status).toBe(200)
    const added = (await ben.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Sabotage of rail links' })).body.id
    clock.advance(MINUTE)
    expect((await api.patch(`/api/boards/${boardId}/assessments/${main}`, { judgment: 'An incursion is now likely.' })).status).toBe(200)
    clock.advance(MINUTE)

    const { page } = await suite.person(suite.accounts.reviewer)
    await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot.body.id}?compare=live`)
    const changes = page.getByRole('region', { name: 'List of changes' })
    const changed = changes.locator(`[data-change-row="changed:${main}"]`)
    const likelihoodBy = changed.locator('dd[data-field="likelihood"] [data-changed-by]')
    await likelihoodBy.waitFor()
    expect(await likelihoodBy.getAttribute('data-changed-by')).toBe('Ben Editor')
    expect(await changed.locator('dd[data-field="judgment"] [data-changed-by]').getAttribute('data-changed-by')).toBe('Ana Petrova')
    expect(await changes.locator(`[data-change-row="added:${added}"] [data-changed-by]`).getAttribute('data-changed-by')).toBe('Ben Editor')
    await saveScreenshot(page, 'history-compare-list')

    // The inspector's account of the card's changes names them too.
    await changed.getByRole('button', { name: 'Incursion into Lithuania' }).click()
    const detail = page.locator('.inspector .change-detail')
    await detail.waitFor()
    expect(await detail.locator('dd[data-field="likelihood"] [data-changed-by]').textContent()).toBe('by Ben Editor')
    expect(await detail.locator('dd[data-field="judgment"] [data-changed-by]').textContent()).toBe('by Ana Petrova')
    await saveScreenshot(page, 'history-compare-inspector')
  })

  it('says in the inspector when older changes of a card are not listed', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.analyst, 'Wagner — a long history', [{ account: suite.accounts.reviewer, role: 'reviewer' }])
    const {
      assessments: [id],
    } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.', assessments: [{ title: 'Incursion into Lithuania', likelihood: 3 }] })
    // More than the 500 the inspector asks for: the newest 500 are listed, and it says so.
    const authors = [`ws:${suite.accounts.analyst.id}`, `ws:${suite.accounts.editor.id}`] as const
    await recordChanges(suite.server.services.storage, boardId, turnsOf(600, authors, Date.now() - 3_600_000, (turn) => ({ assessmentId: id!, field: 'likelihood', from: (turn % 7) + 1, to: ((turn + 1) % 7) + 1 })))

    const { page } = await suite.personOn(suite.accounts.reviewer, boardId)
    await page.locator(`#card-${id}`).click()
    const history = page.locator(`[data-history-for="${id}"]`)
    await history.getByRole('button', { name: 'Show all 500' }).click()
    await history.locator('[data-older-left-out]').waitFor()
    expect(await history.locator('li[data-field="likelihood"]').count()).toBe(500)
    expect(await history.locator('[data-older-left-out]').textContent()).toBe('Older changes are not listed.')
  })
})
