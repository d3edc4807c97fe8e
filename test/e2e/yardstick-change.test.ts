/**
 * The board settings dialog in Chromium against a real server: choosing PHIA
 * on an ICD 203 board whose judgment states a likelihood lists that judgment
 * with its range before and after, and saves only once the change is
 * confirmed; the card then states PHIA's range and the board keeps the note.
 */
import { expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser } from '../helpers/browser.ts'

describeInBrowser('changing the yardstick in the settings dialog', () => {
  const suite = browserSuite()

  it('lists the judgments whose range changes and asks before restating them', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Border build-up')
    const judgment = await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'A strike on the depot', likelihood: 3, confidence: 'moderate' })
    const { page } = await suite.personOn(owner, boardId)
    await page.locator('.chip.likelihood', { hasText: 'unlikely · 20–45%' }).waitFor()

    await page.getByRole('button', { name: 'Board settings: title, marking, key question, likelihood profile' }).click()
    const dialog = page.getByRole('dialog', { name: 'Board settings' })
    const save = dialog.getByRole('button', { name: 'Save' })
    await dialog.getByLabel('Likelihood profile').selectOption('icd203-alt')
    expect(await dialog.locator('[data-restated]').count()).toBe(0)
    await dialog.getByLabel('Likelihood profile').selectOption('phia')
    await dialog.locator(`[data-restated="${judgment.body.id}"]`, { hasText: 'A strike on the depot: unlikely, 20–45% → unlikely, 25–35%' }).waitFor()
    expect(await save.isDisabled()).toBe(true)
    await dialog.getByLabel('Restate its range (the briefing notes the change)').check()
    await save.click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('.chip.likelihood', { hasText: 'unlikely · 25–35%' }).waitFor()

    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect(board.profile).toBe('phia')
    expect(board.yardstickChange).toMatchObject({ from: 'icd203' })
  })
})
