/**
 * What another member's change costs a tab holding the board: the checks of
 * the cards it affects are computed again, and no others. An acknowledgement,
 * given, reworded or withdrawn, re-checks no card; a claim's credibility
 * re-checks the cards linked to it. Counted in Chromium as calls of the
 * bundled assessmentFindings (test/helpers/call-count.ts), and what the tab
 * shows is compared with the server's own checks after each change.
 */
import type { Page } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { signedInClient } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'
import { countCalls, type CallCount } from '../helpers/call-count.ts'
import { waitFor } from '../helpers/wait-for.ts'

const CARDS = 30
/** Claim A supports the first three cards, claim B the fourth. */
const LINKED_TO_A = 3
/** A string of the client bundle that only assessmentFindings (shared/analysis-checks.ts) holds. */
const IN_ASSESSMENT_FINDINGS = 'No likelihood is set.'

describeInBrowser('re-checking after a change in the browser', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', ben: 'Ben Okafor' })
  let calls: CallCount | undefined

  afterEach(async () => {
    await calls?.stop()
    calls = undefined
  })

  const openInTab = (page: Page) => page.locator('[data-open-checks]').first().getAttribute('data-open-checks').then(Number)

  it('re-checks no card when an acknowledgement changes, and only the linked cards when a claim does', async () => {
    const { ana, ben } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, 'Re-checks', [{ account: ben, role: 'editor' }])
    const seeded = await api.post<{ ids: string[] }>(`/api/boards/${boardId}/batch`, {
      operations: [
        { op: 'add', collection: 'sources', ref: 's', input: { name: 'NATO', reliability: 'B' } },
        { op: 'add', collection: 'claims', ref: 'a', input: { text: 'Claim A', sourceId: '@s', credibility: 2 } },
        { op: 'add', collection: 'claims', ref: 'b', input: { text: 'Claim B', sourceId: '@s', credibility: 2 } },
        ...Array.from({ length: CARDS }, (_, i) => ({
          op: 'add',
          collection: 'assessments',
          ref: `k${i}`,
          input: { title: `Judgment ${i}`, judgment: 'An incursion is likely, with high confidence.', kind: 'key-judgment' },
        })),
        ...Array.from({ length: LINKED_TO_A }, (_, i) => ({ op: 'add', collection: 'links', input: { claimId: '@a', assessmentId: `@k${i}`, rating: 'C' } })),
        { op: 'add', collection: 'links', input: { claimId: '@b', assessmentId: `@k${LINKED_TO_A}`, rating: 'C' } },
      ],
    })
    expect(seeded.status).toBe(200)
    const claimA = seeded.body.ids[1]!
    const cards = seeded.body.ids.slice(3, 3 + CARDS)
    const acknowledged = cards[LINKED_TO_A + 1]!
    const key = `no-likelihood:${acknowledged}`
    const benApi = await signedInClient(suite.server, ben)

    const { page } = await suite.personOn(ana, boardId)
    const openOnServer = async () => (await api.get<ChecksReport>(`/api/boards/${boardId}/checks`)).body.findings.filter((f) => f.acknowledgement === null)
    const shownAsOnServer = async () => (await openInTab(page)) === (await openOnServer()).length
    await waitFor(shownAsOnServer, 'the open checks in the tab to be those on the server')
    await page.locator(`[data-card-id="${acknowledged}"]`).click()
    const finding = page.locator(`[data-checks-for="${acknowledged}"] [data-rule="no-likelihood"]`)
    await finding.waitFor()
    const before = await openInTab(page)
    calls = await countCalls(page, IN_ASSESSMENT_FINDINGS)

    expect((await benApi.post(`/api/boards/${boardId}/acknowledgements`, { key, rule: 'no-likelihood', reason: 'First reason.' })).status).toBe(201)
    await finding.locator('[data-acknowledged]', { hasText: 'First reason.' }).waitFor()
    await waitFor(async () => (await openInTab(page)) === before - 1, 'one check fewer open')
    expect(await calls.take()).toBe(0)

    expect((await benApi.post(`/api/boards/${boardId}/acknowledgements`, { key, rule: 'no-likelihood', reason: 'Second reason.' })).status).toBe(201)
    await finding.locator('[data-acknowledged]', { hasText: 'Second reason.' }).waitFor()
    expect(await calls.take()).toBe(0)

    expect((await benApi.patch(`/api/boards/${boardId}/claims/${claimA}`, { credibility: 6 })).status).toBe(200)
    await waitFor(async () => (await openInTab(page)) === before - 1 + LINKED_TO_A, 'the cards claim A supports flagged as weakly supported')
    expect(await calls.take()).toBe(LINKED_TO_A)
    const open = await openOnServer()
    expect(open.filter((f) => f.rule === 'weak-sources-only').map((f) => f.subject)).toEqual(cards.slice(0, LINKED_TO_A).map((id) => ({ kind: 'assessment', id })))
    expect(await shownAsOnServer()).toBe(true)
    const openOnFirst = open.filter((f) => f.subject.kind === 'assessment' && f.subject.id === cards[0]).length
    await page.locator(`[data-card-id="${cards[0]}"] [data-check-marker="open"][data-open-checks="${openOnFirst}"]`).waitFor()
    await finding.locator('[data-acknowledged]', { hasText: 'Second reason.' }).waitFor()

    expect((await benApi.delete(`/api/boards/${boardId}/acknowledgements?key=${encodeURIComponent(key)}`)).status).toBe(204)
    await waitFor(async () => (await openInTab(page)) === before + LINKED_TO_A, 'the withdrawn acknowledgement’s check open again')
    expect(await finding.locator('[data-acknowledged]').count()).toBe(0)
    expect(await calls.take()).toBe(0)
    expect(await shownAsOnServer()).toBe(true)
  })
})
