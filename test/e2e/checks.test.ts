/**
 * The analytic checks in the browser, against the real server: findings live
 * beside the card and in the inspector with the words at fault marked in the
 * judgment editor; an acknowledgement with its reason reaches everyone; a
 * retracted claim flags, within a second, every assessment that relied on it
 * for another editor and in a reviewer's ACH tab, and is no longer counted as
 * support on its card; a snapshot that relied on it
 * says so when opened; two people write the BLUF at once; the export dialog
 * lists the checks of exactly what it will export.
 */
import type { Page } from 'playwright-core'
import { expect, it } from 'vitest'
import type { ChecksReport } from '../../shared/checks-report.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, editorText, saveScreenshot, seedBoard, waitSaved, type Person } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** What "at once" means for a retraction: seen by the others within a second of the click. */
const WITHIN_A_SECOND = 1_000

const card = (page: Page, id: string) => page.locator(`[data-card-id="${id}"]`)
const judgment = (person: Person) => person.page.locator('.cm-content[aria-label="Judgment"]')
const bluf = (person: Person) => person.page.locator('.cm-content[aria-label="Bottom line up front"]')

describeInBrowser('analytic checks in the browser', () => {
  const suite = browserSuite({ ana: 'Ana Petrova', ben: 'Ben Okafor', carol: 'Carol Reviewer' })

  async function briefedBoard(title: string) {
    const { ana, ben, carol } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, ana, title, [
      { account: ben, role: 'editor' },
      { account: carol, role: 'reviewer' },
    ])
    const seeded = await seedBoard(api, boardId, {
      claim: 'Bridging units moved up to the border overnight.',
      assessments: [
        { title: 'An incursion within weeks', judgment: 'An incursion is likely.', kind: 'key-judgment', likelihood: 5, confidence: 'moderate', status: 'final', claimLink: 'CC' },
        { title: 'A large exercise', kind: 'hypothesis', claimLink: 'C' },
        { title: 'Preparation for an incursion', kind: 'hypothesis', claimLink: 'CC' },
      ],
    })
    const [keyJudgment, exercise, preparation] = seeded.assessments
    return { boardId, api, claim: seeded.claim, keyJudgment, exercise, preparation }
  }

  it('flags, within a second, every assessment relying on a claim one editor retracts: another editor’s card and inspector, a reviewer’s ACH tab', async () => {
    const { boardId, api, claim, keyJudgment, exercise, preparation } = await briefedBoard('Retraction')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const ben = await suite.personOn(suite.accounts.ben, boardId)
    const carol = await suite.personOn(suite.accounts.carol, boardId)
    await card(ben.page, keyJudgment).click()
    await ben.page.locator(`[data-checks-for="${keyJudgment}"]`).waitFor()
    await carol.page.keyboard.press('a')
    await carol.page.locator('table.ach').waitFor()
    expect(await ben.page.locator('[data-check-marker]').count()).toBe(0)
    expect(await carol.page.locator('th[data-retracted-support="true"]').count()).toBe(0)
    const supportCount = () => card(ben.page, keyJudgment).locator('.count.support').textContent()
    expect(await supportCount()).toMatch(/^▲1\b/)

    await ana.page.locator(`[data-claim-id="${claim}"]`).click()
    await ana.page.getByRole('radiogroup', { name: 'Status of the claim' }).getByRole('radio', { name: 'retracted' }).click()
    await Promise.all([
      card(ben.page, keyJudgment).locator('[data-check-marker="retracted"]').waitFor({ timeout: WITHIN_A_SECOND }),
      card(ben.page, exercise).locator('[data-check-marker="retracted"]').waitFor({ timeout: WITHIN_A_SECOND }),
      ben.page.locator(`[data-checks-for="${keyJudgment}"] [data-rule="retracted-support"]`).waitFor({ timeout: WITHIN_A_SECOND }),
      carol.page.locator(`th[data-hypothesis="${exercise}"][data-retracted-support="true"]`).waitFor({ timeout: WITHIN_A_SECOND }),
      carol.page.locator(`th[data-hypothesis="${preparation}"][data-retracted-support="true"]`).waitFor({ timeout: WITHIN_A_SECOND }),
    ])
    // The key judgment has lost its only support, and says so too; its card counts no support either.
    await waitFor(async () => /^▲0\b/.test((await supportCount()) ?? ''), 'the card to count the retracted claim no more')
    await ben.page.locator(`[data-checks-for="${keyJudgment}"] [data-rule="unsupported-key-judgment"]`, { hasText: 'has been retracted' }).waitFor()
    await carol.page.locator(`table.ach tr[data-claim="${claim}"]`, { hasText: 'Retracted: not counted' }).waitFor()
    await ana.page.getByRole('note').filter({ hasText: '3 assessments relied on it' }).waitFor()
    await saveScreenshot(ben.page, 'checks-retraction')

    // The next export flags them too: under each assessment, and in the checks it lists.
    await waitSaved(ana)
    const checks = (await api.get<ChecksReport>(`/api/boards/${boardId}/checks`)).body
    expect(checks.findings.filter((f) => f.rule === 'retracted-support').map((f) => f.subject)).toEqual([
      { kind: 'assessment', id: keyJudgment },
      { kind: 'assessment', id: exercise },
      { kind: 'assessment', id: preparation },
    ])
    const briefing = (await api.get<string>(`/api/boards/${boardId}/export?format=md`)).body
    const warning = '**Warning:** Relies on a claim since retracted: \u2068NATO\u2069 (B2) “\u2068Bridging units moved up to the border overnight.\u2069”.'
    expect(briefing.split(warning)).toHaveLength(4)
    expect(briefing).toContain('**1\\. \u2068An incursion within weeks\u2069**: Relies on a retracted claim.')
  })

  it('marks the words at fault as they are typed, and an editor’s acknowledgement with its reason reaches everyone', async () => {
    const { boardId, api, keyJudgment } = await briefedBoard('Wording')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const ben = await suite.personOn(suite.accounts.ben, boardId)
    await card(ana.page, keyJudgment).dblclick()
    await judgment(ana).click()
    await ana.page.keyboard.press('ControlOrMeta+a')
    await ana.page.keyboard.type('An incursion is very likely, with high confidence.')
    await waitFor(async () => (await editorText(judgment(ana))) === 'An incursion is very likely, with high confidence.', 'the judgment typed')

    // Each finding marks its own words; "very likely" is at fault twice, so its marks nest.
    const together = judgment(ana).locator('[data-check-fault="likelihood-with-confidence"]')
    await waitFor(async () => (await together.allInnerTexts()).join('|') === 'very likely|high confidence', 'the words at fault marked in the editor')
    expect(await judgment(ana).locator('[data-check-fault="likelihood-contradicted"]').allInnerTexts()).toEqual(['very likely'])
    const inspector = ana.page.locator(`[data-checks-for="${keyJudgment}"]`)
    await inspector.locator('[data-rule="likelihood-contradicted"]', { hasText: '“very likely”' }).waitFor()
    await card(ben.page, keyJudgment).locator('[data-check-marker="open"][data-open-checks="2"]').waitFor()
    await saveScreenshot(ana.page, 'checks-wording')

    const finding = inspector.locator('[data-rule="likelihood-with-confidence"]')
    await finding.getByRole('button', { name: 'Acknowledge…' }).click()
    await finding.getByLabel('Why it stands').fill('Quoted as the NATO cable words it.')
    await finding.getByRole('button', { name: 'Acknowledge', exact: true }).click()
    await finding.locator('[data-acknowledged]', { hasText: 'Acknowledged by Ana Petrova: Quoted as the NATO cable words it.' }).waitFor()
    await card(ben.page, keyJudgment).locator('[data-check-marker="open"][data-open-checks="1"]').waitFor()
    await judgment(ana).locator('.cm-check-acknowledged', { hasText: 'high confidence' }).waitFor()
    await card(ben.page, keyJudgment).click()
    await ben.page.locator(`[data-checks-for="${keyJudgment}"] [data-rule="likelihood-with-confidence"] [data-acknowledged]`).waitFor()

    // Setting the likelihood to what the words say resolves the contradiction; nothing is left open.
    await ana.page.getByRole('radiogroup', { name: 'Likelihood' }).getByRole('radio', { name: /^very likely/ }).click()
    await waitFor(async () => (await card(ben.page, keyJudgment).locator('[data-check-marker]').count()) === 0, 'no open check left on the card')
    await waitSaved(ana)
    const model = await boardModel(api, boardId)
    expect(model.acknowledgements?.map((a) => [a.rule, a.reason, a.createdBy])).toEqual([['likelihood-with-confidence', 'Quoted as the NATO cable words it.', 'Ana Petrova']])
  })

  it('lets two people write the BLUF at once, and a reviewer read it', async () => {
    const { boardId, api } = await briefedBoard('BLUF')
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const ben = await suite.personOn(suite.accounts.ben, boardId)
    const carol = await suite.personOn(suite.accounts.carol, boardId)
    await bluf(ana).click()
    await bluf(ben).click()
    const anaText = 'Russia is preparing an incursion. '
    const benText = 'NATO should raise readiness now.'
    await Promise.all([ana.page.keyboard.type(anaText, { delay: 15 }), ben.page.keyboard.type(benText, { delay: 15 })])
    const text = await waitFor(async () => {
      const [a, b] = [await editorText(bluf(ana)), await editorText(bluf(ben))]
      return a === b && a.includes(anaText.trim()) && a.includes(benText) ? a : null
    }, 'both editors to hold both texts')
    await Promise.all([waitSaved(ana), waitSaved(ben)])
    expect((await boardModel(api, boardId)).bluf).toBe(text)
    await carol.page.locator('[data-bluf]', { hasText: benText }).waitFor()
    expect(await carol.page.locator('.cm-content[aria-label="Bottom line up front"]').count()).toBe(0)
  })

  it('says on a snapshot’s page when it relied on a claim retracted since', async () => {
    const { boardId, api, claim } = await briefedBoard('Snapshot then retraction')
    const snapshot = (await api.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Morning brief' })).body.id
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim}`, { status: 'retracted' })).status).toBe(200)
    const carol = await suite.person(suite.accounts.carol)
    await carol.page.goto(`${suite.server.url}/boards/${boardId}/snapshots/${snapshot}`)
    await carol.page.locator('[data-retracted-since]', { hasText: '3 judgments relied on a claim retracted since.' }).waitFor()
    await saveScreenshot(carol.page, 'checks-snapshot-retracted-since')
  })

  it('lists the checks of what will be exported before an export, for the assessments chosen', async () => {
    const { boardId, api } = await briefedBoard('Export checks')
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Draft without likelihood', status: 'draft' })
    const { page } = await suite.personOn(suite.accounts.ana, boardId)
    await page.getByRole('button', { name: 'Export the board' }).click()
    await page.getByRole('menu', { name: 'Export' }).getByRole('menuitem', { name: /^DOCX…/ }).click()
    const dialog = page.getByRole('dialog', { name: /^Export “/ })
    const checks = dialog.locator('[data-export-checks]')
    await checks.locator('[data-rule="no-likelihood"]', { hasText: 'Draft without likelihood' }).waitFor()
    await dialog.locator('[data-export-scope]').selectOption('final')
    await checks.locator('.summary[data-open="0"]').waitFor()
    expect(await checks.locator('[data-rule="no-likelihood"]').count()).toBe(0)
  })
})
