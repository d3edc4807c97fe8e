/**
 * Provenance: an imported claim opens the document it came from, the claim
 * marked in its context; one whose words are no longer its document's reads
 * as a claim by hand. The document is the importer's text and may hold
 * markup; the dialog shows it as text, never as HTML.
 */
import { expect, it } from 'vitest'
import { requireEntity } from '../../shared/board-doc.ts'
import type { BoardModel, ClaimModel } from '../../shared/board-model.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, type BoardApi } from '../helpers/browser.ts'
import { isolate } from '../../shared/bidi.ts'

const HOSTILE = '<img src=x onerror=window.__xss=1>'
const ARTICLE = [
  'Drones over Vilnius',
  'Lithuanian border guards reported three drones over Vilnius overnight. [citation: LRT]',
  `Officials said the drones came from Belarus. The wire copy carried ${HOSTILE} in its caption. Two were shot down. [citation: Reuters]`,
  'Analysts expect more incursions before the summit.',
].join('\n')
const CITED = `The wire copy carried ${HOSTILE} in its caption.`

type Imported = { board: BoardModel; claim: ClaimModel; api: BoardApi; boardId: string }

describeInBrowser('provenance', () => {
  const suite = browserSuite({ owner: 'Ines Importer' })

  async function importArticle(title: string): Promise<Imported> {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.owner, title)
    const imported = await api.post(`/api/boards/${boardId}/import`, { text: ARTICLE, title: 'Drones over Vilnius (wire)' })
    expect(imported.status).toBe(200)
    const board = await boardModel(api, boardId)
    const claim = board.claims.find((c) => c.text === CITED)
    if (!claim) throw new Error(`no claim "${CITED}" among ${JSON.stringify(board.claims.map((c) => c.text))}`)
    return { board, claim, api, boardId }
  }

  it('opens a claim’s document with the claim marked in context, the markup shown as text', async () => {
    const { claim, boardId } = await importArticle('Provenance')
    const ines = await suite.personOn(suite.accounts.owner, boardId)
    const { page } = ines

    await page.locator(`[data-claim-id="${claim.id}"]`).click()
    const show = page.getByRole('button', { name: 'Show in document' })
    await show.click()
    const dialog = page.getByRole('dialog', { name: 'Drones over Vilnius (wire)' })
    await dialog.waitFor()

    const mark = dialog.locator('mark')
    expect(await mark.count()).toBe(1)
    expect(await mark.textContent()).toBe(CITED)
    expect(await mark.getAttribute('aria-label')).toBe(`Claim in context: ${isolate(CITED)}`)
    await page.waitForFunction(() => document.activeElement?.tagName === 'MARK')

    // The whole document around it: the sentences before and after, the other paragraphs, line by line.
    const shown = await dialog.locator('.text').innerText()
    expect(shown).toBe(ARTICLE)
    await dialog.getByText('Imported by Ines Importer on').waitFor()
    await dialog.getByText('the claim is in paragraph 3').waitFor()

    // The markup is literal text: no element made of it, no script run.
    expect(await dialog.locator('img').count()).toBe(0)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined()
    await saveScreenshot(page, 'provenance')

    // Esc closes it and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await page.waitForFunction(() => document.activeElement?.textContent === 'Show in document')
  })

  it('strikes a retracted claim through, and reads a claim rewritten before quotes were fixed as one by hand', async () => {
    const { claim, api, boardId } = await importArticle('Provenance after edits')
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim.id}`, { status: 'retracted' })).status).toBe(200)
    const ines = await suite.personOn(suite.accounts.owner, boardId)
    const { page } = ines

    await page.locator(`[data-claim-id="${claim.id}"]`).click()
    await page.getByRole('button', { name: 'Show in document' }).click()
    const dialog = page.getByRole('dialog', { name: 'Drones over Vilnius (wire)' })
    const mark = dialog.locator('mark')
    await mark.waitFor()
    expect(await mark.getAttribute('aria-label')).toBe(`Claim in context (retracted): ${isolate(CITED)}`)
    expect(await mark.evaluate((element) => getComputedStyle(element).textDecorationLine)).toBe('line-through')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })

    // The quote is fixed: the API refuses to rewrite it, and the inspector shows it read-only.
    expect((await api.patch(`/api/boards/${boardId}/claims/${claim.id}`, { text: 'The caption carried markup.' })).status).toBe(409)
    await page.locator('blockquote.quote', { hasText: CITED }).waitFor()
    expect(await page.getByRole('textbox', { name: 'Claim', exact: true }).count()).toBe(0)

    // A board whose claim was rewritten before quotes were fixed (as an older server allowed): its words are no
    // longer its document's, so it reads as a claim by hand, as the API and the briefing read it, with no document to show.
    await suite.server.services.rooms.withRoom(boardId, (room) => room.change((doc) => requireEntity(doc, 'claims', claim.id).set('text', 'The caption carried markup.')))
    const rewritten = page.locator(`[data-claim-id="${claim.id}"]`, { hasText: 'The caption carried markup.' })
    await rewritten.locator('.by-hand').waitFor()
    await page.getByRole('textbox', { name: 'Claim', exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Show in document' }).count()).toBe(0)
    expect((await boardModel(api, boardId)).claims.find((c) => c.id === claim.id)).not.toHaveProperty('documentId')
  })
})
