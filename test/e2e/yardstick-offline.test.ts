/**
 * The red team's offline scenario in Chromium against a real server: an
 * analyst's page, offline on an ICD 203 board, sets a judgment to "roughly
 * even chance"; the owner meanwhile changes the board to PHIA, confirming the
 * one judgment the server holds. On reconnecting, the analyst's card switched
 * to "realistic possibility · 40–50%" silently; now it shows the band in the
 * words it was chosen in, flagged, and the inspector offers to keep the band
 * under PHIA, which stores it as PHIA's.
 */
import { expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount, addMember } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('a likelihood set offline across a change of yardstick', () => {
  const suite = browserSuite()

  it('shows the analyst the band flagged on reconnecting, and restates it on request', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const analyst = await addAccount(suite.server, { name: 'Ana Analyst' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Yardstick race')
    await addMember(suite.server, boardId, analyst, 'editor')
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'Held by the server', likelihood: 3, confidence: 'moderate' })
    const offline = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Set offline', confidence: 'moderate' })).body.id

    const { page, context } = await suite.personOn(analyst, boardId)
    const chip = page.locator(`[data-card-id="${offline}"] .chip.likelihood`)
    await chip.filter({ hasText: 'likelihood not set' }).waitFor()
    await context.setOffline(true)
    await page.locator('[data-link="offline"]').waitFor()
    await page.locator(`[data-card-id="${offline}"]`).click()
    await page.getByRole('radiogroup', { name: 'Likelihood' }).getByRole('radio', { name: 'roughly even chance: 45–55%' }).click()
    await chip.filter({ hasText: 'roughly even chance · 45–55%' }).waitFor()

    expect((await api.patch(`/api/boards/${boardId}`, { profile: 'phia', restateLikelihoods: true })).status).toBe(200)
    await context.setOffline(false)

    await chip.and(page.locator('[data-restate="icd203"]')).filter({ hasText: 'needs restating · roughly even chance · 45–55% (ICD 203 (wording row A))' }).waitFor()
    const note = page.locator('[data-restate-note]')
    await note.filter({ hasText: 'needs restating under PHIA probability yardstick' }).waitFor()

    await note.getByRole('button', { name: 'keep band 4 as realistic possibility, 40–50%' }).click()
    await chip.filter({ hasText: 'realistic possibility · 40–50%' }).waitFor()
    expect(await page.locator('[data-restate]').count()).toBe(0)
    await waitFor(async () => {
      const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
      return board.assessments.find((a) => a.id === offline)?.likelihoodYardstick === 'phia' || undefined
    }, 'the restated band stored')
  })
})
