/**
 * The ACH tab: claims rated against two hypotheses, the inconsistency scores
 * and the least refuted in the footer; an editor re-rates a cell and the
 * scores follow, for them and, live, for a reviewer who cannot change them.
 * A lone hypothesis is scored but not called least refuted, nor its evidence
 * rated the same everywhere, and the board's checks ask for a competing one.
 * An editor rates each row's relevance, by mouse and by keyboard, and the
 * weighted scores follow it for a reviewer, who reads it.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard, waitSaved, type BoardApi } from '../helpers/browser.ts'
import { LONE_HYPOTHESIS_NOTE, WEIGHT_NOTE, WEIGHT_RULE } from '../../shared/ach.ts'
import { withoutIsolates } from '../../shared/bidi.ts'
import type { AchRating } from '../../shared/domain.ts'
import type { Page } from 'playwright-core'
import type { TestServer } from '../helpers/test-server.ts'

async function addRatedClaim(api: BoardApi, boardId: string, sourceId: string, text: string, ratings: [string, AchRating][]): Promise<string> {
  const claim = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text, sourceId, credibility: 3 })).body.id
  for (const [assessmentId, rating] of ratings) await api.post(`/api/boards/${boardId}/links`, { assessmentId, claimId: claim, rating })
  return claim
}

function score(page: Page, hypothesis: string, value: number) {
  return page.locator(`tfoot td[data-hypothesis="${hypothesis}"][data-score="${value}"]`)
}

function weighted(page: Page, hypothesis: string, value: string) {
  return page.locator(`tfoot td[data-hypothesis="${hypothesis}"][data-weighted-score="${value}"]`)
}

/** Opens a cell's rating menu and picks a rating ('' removes it). */
async function rateCell(page: Page, claim: string, hypothesis: string, rating: AchRating | '') {
  await page.locator(`table.ach tr[data-claim="${claim}"] td[data-hypothesis="${hypothesis}"] .rating-button`).click()
  await page.locator(`[role="menu"] [role="menuitemradio"][data-rating="${rating}"]`).click()
  await page.getByRole('menu').waitFor({ state: 'detached' })
}

function leastRefuted(page: Page) {
  return page.locator('tfoot td[data-least-refuted="true"]')
}

/**
 * A board of Ana's that Carol reviews: `massed` rated against an exercise and
 * an incursion.
 */
async function borderBoard(server: TestServer, title: string, massed: string, [onExercise, onIncursion]: [AchRating, AchRating]) {
  const owner = await addAccount(server, { name: 'Ana Petrova' })
  const reviewer = await addAccount(server, { name: 'Carol Reviewer' })
  const { boardId, api } = await createBoardFor(server, owner, title, [{ account: reviewer, role: 'reviewer' }])
  const {
    source,
    claim,
    assessments: [exercise, invasion],
  } = await seedBoard(api, boardId, {
    claim: massed,
    assessments: [
      { title: 'A large-scale exercise', kind: 'hypothesis', claimLink: onExercise },
      { title: 'Preparation for an incursion', kind: 'hypothesis', claimLink: onIncursion },
    ],
  })
  return { owner, reviewer, boardId, api, source, massed: claim, exercise, invasion }
}

describeInBrowser('the ACH tab', () => {
  const suite = browserSuite()

  it('scores the hypotheses, and an editor’s re-rating reaches everyone live', async () => {
    const { owner, reviewer, boardId, api, source, massed, exercise, invasion } = await borderBoard(
      suite.server,
      'Border build-up',
      'Troops massed near the border, with bridging equipment and fuel trucks brought up from the rear depots.',
      ['C', 'CC'],
    )
    const hospitals = await addRatedClaim(api, boardId, source, 'Field hospitals set up within 20 km of the border.', [
      [exercise, 'I'],
      [invasion, 'C'],
    ])
    const rail = await addRatedClaim(api, boardId, source, 'Rail traffic to the region doubled in October.', [
      [exercise, 'C'],
      [invasion, 'C'],
    ])

    const ana = await suite.personOn(owner, boardId)
    const carol = await suite.personOn(reviewer, boardId)
    await ana.page.getByRole('tab', { name: 'ACH' }).click()
    // The reviewer opens it with the keyboard.
    await carol.page.keyboard.press('a')
    for (const page of [ana.page, carol.page]) await page.locator('table.ach').waitFor()

    // Exercise: I = 1; incursion: nothing inconsistent = 0, the least refuted.
    const table = ana.page.locator('table.ach')
    expect(await table.locator('thead th[scope="col"]').allInnerTexts()).toEqual([
      'Evidence ↓ · Hypotheses →',
      'A large-scale exercise',
      'Preparation for an incursion',
    ])
    expect(await table.locator('tbody th[scope="row"] [aria-label^="Grade"]').allInnerTexts()).toEqual(['B2', 'B3', 'B3'])
    await score(ana.page, exercise, 1).waitFor()
    await score(ana.page, invasion, 0).waitFor()
    expect(await leastRefuted(ana.page).getAttribute('data-hypothesis')).toBe(invasion)
    // Weighted by credibility: the hospitals (B3: credibility M = 1, relevance M) rated I against the exercise: 1 × −1.
    await weighted(ana.page, exercise, '−1.00').waitFor()
    await weighted(ana.page, invasion, '0').waitFor()
    expect(await table.locator(`tfoot td[data-least-refuted-weighted="true"]`).getAttribute('data-hypothesis')).toBe(invasion)
    expect(await score(ana.page, exercise, 1).getAttribute('data-rated')).toBe('3')
    await table.locator(`tfoot td[data-hypothesis="${exercise}"]`, { hasText: '3 of 3 rated' }).waitFor()
    expect(await table.locator(`tr[data-claim="${rail}"]`).getAttribute('data-diagnosticity')).toBe('non-diagnostic')
    await table.locator(`tr[data-claim="${rail}"]`, { hasText: 'Rated the same everywhere' }).waitFor()
    expect(await table.locator(`tr[data-claim="${massed}"]`).getAttribute('data-diagnosticity')).toBe('diagnostic')

    // The reviewer reads the ratings; nothing to change them with.
    await score(carol.page, invasion, 0).waitFor()
    expect(await carol.page.locator('table.ach select, table.ach button.rating-button').count()).toBe(0)
    expect(await carol.page.locator(`table.ach tr[data-claim="${hospitals}"] td`).allInnerTexts()).toEqual(['I', 'C'])

    // Ana rates the field hospitals very inconsistent with an incursion: 2 against it, and the exercise is now the least refuted.
    await rateCell(ana.page, hospitals, invasion, 'II')
    for (const page of [ana.page, carol.page]) {
      await score(page, invasion, 2).waitFor()
      await page.locator(`tfoot td[data-least-refuted="true"][data-hypothesis="${exercise}"]`).waitFor()
      await page.locator(`tr[data-claim="${hospitals}"] td[data-hypothesis="${invasion}"][data-rating="II"]`).waitFor()
    }
    expect(await leastRefuted(carol.page).count()).toBe(1)
    await score(carol.page, exercise, 1).waitFor()
    await weighted(carol.page, invasion, '−2.00').waitFor()

    // "—" removes the link: the massing is no longer rated against the exercise, and the row says it is incomplete.
    await rateCell(ana.page, massed, exercise, '')
    await carol.page.locator(`tr[data-claim="${massed}"][data-diagnosticity="incomplete"]`, { hasText: 'Not rated against every hypothesis' }).waitFor()
    // An unrated cell reads "not rated" to a screen reader.
    expect(await carol.page.locator(`tr[data-claim="${massed}"] td`).allInnerTexts()).toEqual(['—\nnot rated', 'CC'])
    // The unrated cell is counted apart, not as a zero, and the lowest score is only the lowest so far.
    await carol.page.locator(`tfoot td[data-hypothesis="${exercise}"][data-rated="2"][data-unrated="1"]`, { hasText: '2 of 3 rated' }).waitFor()
    await carol.page.locator('tfoot td[data-least-refuted="true"]', { hasText: 'least refuted so far' }).waitFor()
    await carol.page.locator(`tr[data-claim="${massed}"] td.unrated-cell[data-hypothesis="${exercise}"]`).waitFor()
    await saveScreenshot(ana.page, 'ach')

    await waitSaved(ana)
    const model = await boardModel(api, boardId)
    const ratings = model.links.map((l) => [l.claimId, l.assessmentId, l.rating])
    expect(ratings).toEqual(
      expect.arrayContaining([
        [massed, invasion, 'CC'],
        [hospitals, exercise, 'I'],
        [hospitals, invasion, 'II'],
        [rail, exercise, 'C'],
        [rail, invasion, 'C'],
      ]),
    )
    expect(ratings).toHaveLength(5)
  })

  it('lets an editor rate each row’s relevance, by keyboard too, and weighs it for everyone live', async () => {
    const { owner, reviewer, boardId, api, source, massed, exercise, invasion } = await borderBoard(suite.server, 'Relevance', 'Troops massed near the border.', [
      'I',
      'C',
    ])
    const hospitals = await addRatedClaim(api, boardId, source, 'Field hospitals set up within 20 km of the border.', [
      [exercise, 'C'],
      [invasion, 'II'],
    ])
    const ana = await suite.personOn(owner, boardId)
    const carol = await suite.personOn(reviewer, boardId)
    for (const { page } of [ana, carol]) {
      await page.keyboard.press('a')
      await page.locator('table.ach').waitFor()
    }
    const relevance = (page: Page, claim: string) => page.locator(`tr[data-claim="${claim}"] th .relevance`)
    /** What a reviewer sees of a row's relevance (a screen reader reads its full label). */
    const shown = (page: Page, claim: string) => relevance(page, claim).locator('[aria-hidden="true"]').innerText()

    // Never rated: M, and said to be the default. Weighted: exercise √2 × 1 × −1 ≈ −1.41 (B2); incursion 1 × 1 × −2 = −2 (B3).
    expect(await relevance(ana.page, massed).evaluate((select: HTMLSelectElement) => select.selectedOptions[0]!.textContent)).toBe('M (not rated)')
    expect(await shown(carol.page, massed)).toBe('Rel. M (not rated)')
    await weighted(carol.page, exercise, '−1.41').waitFor()
    await weighted(carol.page, invasion, '−2.00').waitFor()
    expect(await carol.page.locator('table.ach select').count()).toBe(0)
    // The caption states the weighting, relevance as rated.
    const caption = ana.page.locator('.ach-area .rule')
    await caption.filter({ hasText: WEIGHT_RULE }).waitFor()
    expect(await caption.innerText()).not.toContain('taken as M (1) for every claim')

    // Ana rates the massing H with the mouse, and the hospitals L from the keyboard (Tab to the control, then the arrow).
    await relevance(ana.page, massed).selectOption('H')
    await ana.page.locator(`tr[data-claim="${hospitals}"] .claim-text`).focus()
    await ana.page.keyboard.press('Tab')
    expect(withoutIsolates((await ana.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '')).toBe('Relevance of “Field hospitals set up within 20 km of the border.” as evidence')
    await ana.page.keyboard.press('ArrowDown')
    await relevance(ana.page, hospitals).and(ana.page.locator('[data-relevance="L"]')).waitFor()

    // Carol sees both, and the scores they make: exercise √2 × √2 × −1 = −2; incursion 1 × 1/√2 × −2 ≈ −1.41, now the least refuted by weight.
    await relevance(carol.page, massed).and(carol.page.locator('[data-relevance="H"]')).waitFor()
    await relevance(carol.page, hospitals).and(carol.page.locator('[data-relevance="L"]')).waitFor()
    expect(await shown(carol.page, massed)).toBe('Rel. H')
    expect(withoutIsolates((await relevance(carol.page, hospitals).getAttribute('title')) ?? '')).toBe('Relevance of “Field hospitals set up within 20 km of the border.” as evidence: L (× 1/√2)')
    for (const page of [ana.page, carol.page]) {
      await weighted(page, exercise, '−2.00').waitFor()
      await weighted(page, invasion, '−1.41').waitFor()
      await page.locator(`tfoot td[data-least-refuted-weighted="true"][data-hypothesis="${invasion}"]`).waitFor()
    }
    await waitSaved(ana)
    const model = await boardModel(api, boardId)
    expect(model.claims.map((c) => [c.id, c.relevance])).toEqual([
      [massed, 'H'],
      [hospitals, 'L'],
    ])
  })

  it('asks for a competing hypothesis on a board with one, and calls it least refuted by neither score', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'One hypothesis')
    const {
      claim,
      assessments: [lone],
    } = await seedBoard(api, boardId, { claim: 'Convoys were seen near Grodno.', assessments: [{ title: 'Wagner moves north', kind: 'hypothesis', claimLink: 'I' }] })
    const { page } = await suite.personOn(owner, boardId)
    // The board's checks ask for one, beside the other board check this board has open (it has no key judgment).
    const boardChecks = page.locator('[data-board-checks]')
    await boardChecks.locator('[data-rule="lone-hypothesis"]', { hasText: LONE_HYPOTHESIS_NOTE }).waitFor()
    await boardChecks.locator('[data-rule="no-key-judgment"]').waitFor()
    await page.keyboard.press('a')
    await score(page, lone!, 1).waitFor()
    await page.locator('[data-lone-hypothesis]', { hasText: LONE_HYPOTHESIS_NOTE }).waitFor()
    expect(await page.locator('tfoot td[data-least-refuted="true"], tfoot td[data-least-refuted-weighted="true"], .least-label').count()).toBe(0)
    // Nor is its claim "rated the same everywhere", or set apart: with one hypothesis there is nothing to choose between.
    const row = page.locator(`tr[data-claim="${claim}"]`)
    expect(await row.getAttribute('data-diagnosticity')).toBe('uncompared')
    expect(await row.evaluate((tr) => tr.classList.contains('muted-row'))).toBe(false)
    expect(await row.locator('.note').count()).toBe(0)
    // The weight as it is computed: relevance M until rated, F and 6 the lowest.
    await page.locator('.rule', { hasText: WEIGHT_NOTE }).waitFor()
  })

  it('says what to do on a board without hypotheses', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'No hypotheses')
    await seedBoard(api, boardId, { claim: 'A claim.', assessments: [{ title: 'A plain assessment', claimLink: 'C' }] })
    const { page } = await suite.personOn(owner, boardId)
    await page.keyboard.press('a')
    await page.getByText('Add hypotheses (assessments of kind Hypothesis) and link claims to them to compare them here.').waitFor()
    expect(await page.locator('table.ach').count()).toBe(0)
  })
})
