/**
 * axe-core on every screen (the board list, the board, the grid, the ACH
 * tab with a retracted row and one rated the same everywhere, a snapshot's page, the admin's People page and one's own account
 * page) at 1440×900 and 1024×768: no
 * violation axe rates serious or critical, and none of those a tester found
 * (label-content-name-mismatch, nested-interactive, region). Each screen is
 * saved to test-artifacts/screen-<name>-<width>x<height>.png on the way.
 */
import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DEMO_TITLE, seedDemoBoardIfNone } from '../../server/demo/seed-demo-board.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, sessionHeaders, signIn as apiSignIn } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { axeViolations, seriousOrCritical, type AxeViolation } from '../helpers/axe.ts'
import { browserSuite, describeInBrowser, openBoard, saveScreenshot } from '../helpers/browser.ts'

const SCREEN_SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const

/** The rules the tester's run of axe found on the board: each must now pass, whatever impact axe gives it. */
const FOUND_BEFORE = new Set(['label-content-name-mismatch', 'nested-interactive', 'region'])

describeInBrowser('accessibility', () => {
  const suite = browserSuite({ owner: 'Ana Petrova' })

  it('axe finds nothing serious on the board list, the board, the grid, the ACH tab and a snapshot', async () => {
    const owner = suite.accounts.owner
    const boardId = await seedDemoBoardIfNone(suite.server.services, { userId: owner.id, tokenId: null, name: owner.name, isAdmin: false, via: 'session' })
    if (boardId === null) throw new Error('the suite’s new server already had a board')
    const api = apiClient(suite.server.url, sessionHeaders(suite.server, await apiSignIn(suite.server, owner)))
    // A third hypothesis beside the demo's two, all rated against the demo's claims, so the ACH tab has a full matrix to show.
    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    const [first, second, third, fourth] = board.claims.filter((claim) => claim.status === 'active')
    const hypotheses = board.assessments.filter((a) => a.kind === 'hypothesis').map((a) => a.id)
    const added = { title: 'Wagner is folded into the Belarusian armed forces', kind: 'hypothesis', likelihood: 3, impact: 'moderate' }
    hypotheses.push((await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, added)).body.id)
    const ratings = [['C', 'I', 'II'], ['CC', 'N', 'C'], ['I', 'C', 'NA']] as const
    for (const [h, hypothesis] of hypotheses.entries()) {
      for (const [c, claim] of [first, second, third].entries()) {
        if (board.links.some((link) => link.assessmentId === hypothesis && link.claimId === claim!.id)) continue
        await api.post(`/api/boards/${boardId}/links`, { assessmentId: hypothesis, claimId: claim!.id, rating: ratings[h]![c] })
      }
    }
    // The rows the matrix marks apart (they were faded below AA contrast): one rated alike everywhere, one retracted.
    for (const link of board.links.filter((l) => l.claimId === fourth!.id)) await api.delete(`/api/boards/${boardId}/links/${link.id}`)
    for (const hypothesis of hypotheses) await api.post(`/api/boards/${boardId}/links`, { assessmentId: hypothesis, claimId: fourth!.id, rating: 'N' })
    await api.patch(`/api/boards/${boardId}/claims/${third!.id}`, { status: 'retracted' })
    await api.post(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })
    const [snapshot] = (await api.get<{ id: string }[]>(`/api/boards/${boardId}/snapshots`)).body

    // The app's Content-Security-Policy refuses inline scripts; axe is injected as one.
    const person = await suite.person(owner, { bypassCSP: true })
    const { page } = person
    const found: { screen: string; violations: AxeViolation[] }[] = []
    async function check(screen: string, size: { width: number; height: number }) {
      found.push({ screen: `${screen} at ${size.width}×${size.height}`, violations: await axeViolations(page) })
      await saveScreenshot(page, `screen-${screen}-${size.width}x${size.height}`)
    }
    async function tab(page: Page, name: string, ready: string) {
      await page.getByRole('tab', { name }).click()
      await page.locator(ready).waitFor()
    }

    for (const size of SCREEN_SIZES) {
      await page.setViewportSize(size)
      await page.goto(`${suite.server.url}/`)
      await page.getByRole('link', { name: DEMO_TITLE }).first().waitFor()
      await check('boards', size)

      await openBoard(person, suite.server, boardId)
      await page.locator('[data-card-id]').first().click()
      await page.locator('[data-inspecting]').waitFor()
      await check('board', size)
      await tab(page, 'Likelihood × impact', 'table.matrix')
      await check('grid', size)
      await tab(page, 'ACH', 'table.ach tr.retracted')
      await page.locator('table.ach tr[data-diagnosticity="non-diagnostic"]').waitFor()
      await check('ach', size)

      await page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot!.id}`)
      await page.locator(`section[data-snapshot-id="${snapshot!.id}"]`).waitFor()
      await page.locator('[data-card-id]').first().waitFor()
      await check('snapshot', size)
    }

    expectNothingSerious(found)
  }, 180_000)

  it('axe finds nothing serious on the People page and the account page', async () => {
    const admin = await addAccount(suite.server, { name: 'Ada Admin', isAdmin: true })
    await addAccount(suite.server, { name: 'Pat Person' })
    const person = await suite.person(admin, { bypassCSP: true })
    const { page } = person
    const found: { screen: string; violations: AxeViolation[] }[] = []
    for (const size of SCREEN_SIZES) {
      await page.setViewportSize(size)
      await page.goto(`${suite.server.url}/`)
      await page.getByRole('link', { name: 'People' }).click()
      await page.getByRole('table', { name: 'People' }).getByText('Pat Person').waitFor()
      found.push({ screen: `people at ${size.width}×${size.height}`, violations: await axeViolations(page) })
      await page.getByRole('link', { name: 'Ada Admin' }).click()
      await page.getByRole('heading', { name: 'API tokens' }).waitFor()
      found.push({ screen: `account at ${size.width}×${size.height}`, violations: await axeViolations(page) })
    }
    expectNothingSerious(found)
  }, 120_000)
})

function expectNothingSerious(found: { screen: string; violations: AxeViolation[] }[]): void {
  const report = (pick: (violations: AxeViolation[]) => AxeViolation[]) =>
    found.flatMap(({ screen, violations }) => pick(violations).map((v) => `${screen}: ${v.rule} (${v.impact}) ${v.help} — ${v.targets.join(', ')}`))
  expect(report(seriousOrCritical)).toEqual([])
  expect(report((violations) => violations.filter((v) => FOUND_BEFORE.has(v.rule)))).toEqual([])
}
