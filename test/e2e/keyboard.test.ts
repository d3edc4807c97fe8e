/**
 * The whole board by keyboard: a person creates an assessment, sets its
 * likelihood and links a claim to it without touching the mouse; and Tab
 * never leaves an open dialog.
 */
import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { BoardModel } from '../../shared/board-model.ts'
import { addAccount } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard, waitSaved } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('keyboard only', () => {
  const suite = browserSuite()

  it('creates an assessment, sets its likelihood and links a claim to it', async () => {
    const owner = await addAccount(suite.server, { name: 'Kim Keyboard' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'By keyboard')
    const { claim } = await seedBoard(api, boardId, { claim: 'Wagner fighters arrived in Belarus.' })
    const kim = await suite.personOn(owner, boardId)
    const { page } = kim
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? '')

    // N opens the composer; Enter creates the card and puts the cursor in its judgment.
    await page.keyboard.press('n')
    await page.keyboard.type('Wagner will stay in Belarus')
    await page.keyboard.press('Enter')
    await waitFor(async () => (await focused()) === 'Judgment', 'the judgment to take the focus')
    await page.keyboard.type('Most of the force stays through the winter.')

    // Esc goes back to the cards; Enter edits the selected one; Tab walks the inspector to the likelihood yardstick.
    await page.keyboard.press('Escape')
    await waitFor(async () => (await focused()) === 'Assessments', 'the card list to take the focus')
    await page.keyboard.press('Enter')
    await waitFor(async () => (await focused()) === 'Title', 'the title to take the focus')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await waitFor(async () => (await page.evaluate(() => document.activeElement?.closest('[role="radiogroup"]')?.getAttribute('aria-label'))) === 'Likelihood', 'the likelihood to take the focus')
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown')
    await page.locator('.chip.likelihood', { hasText: 'likely · 55–80%' }).waitFor()

    // Back to the cards, then Shift+Tab to the claims; J moves to the claim, L links it to the selected card.
    await page.keyboard.press('Escape')
    await waitFor(async () => (await focused()) === 'Assessments', 'the card list to take the focus again')
    await page.keyboard.press('Shift+Tab')
    await waitFor(async () => (await focused()) === 'Claims, grouped by source', 'the claims to take the focus')
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.locator(`#row-${claim}[aria-selected="true"]`).waitFor()
    await page.keyboard.press('l')
    await page.locator('dialog[open]').waitFor()
    // The first arrow chooses the rating in focus (CC), the second the next one (C).
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Enter')
    await page.locator('dialog[open]').waitFor({ state: 'detached' })
    await page.locator('[data-card-id] .count.support', { hasText: '▲1' }).waitFor()
    await saveScreenshot(page, 'keyboard-linked')

    // Every control on the page has a name a screen reader can say.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [role="radio"], [role="option"], [role="tab"], [role="listbox"], [contenteditable="true"]')]
        .filter((control) => {
          const labelledBy = control.getAttribute('aria-labelledby')
          const labels = 'labels' in control ? [...((control as HTMLInputElement).labels ?? [])].map((label) => label.textContent ?? '') : []
          const name = [control.getAttribute('aria-label'), labelledBy && document.getElementById(labelledBy)?.textContent, ...labels, control.textContent, control.title].join('').trim()
          return name === ''
        })
        .map((control) => control.outerHTML.slice(0, 120)),
    )
    expect(unnamed).toEqual([])

    await waitSaved(kim)
    const board = (await api.get<BoardModel>(`/api/boards/${boardId}`)).body
    expect(board.assessments).toMatchObject([
      { title: 'Wagner will stay in Belarus', judgment: 'Most of the force stays through the winter.', likelihood: 5 },
    ])
    expect(board.links).toMatchObject([{ assessmentId: board.assessments[0]!.id, claimId: claim, rating: 'C' }])
  })

  it('keeps Tab and Shift+Tab inside a dialog: the last control wraps to the first and the first to the last', async () => {
    const owner = await addAccount(suite.server, { name: 'Tess Tab' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Tabbing')
    const { claim } = await seedBoard(api, boardId, { claim: 'Columns were seen near Asipovichy.', assessments: [{ title: 'Wagner stays in Belarus' }] })
    const { page } = await suite.personOn(owner, boardId)

    await page.locator('[data-card-id]').first().click()
    await page.locator(`#row-${claim}`).click()
    await page.keyboard.press('l')
    await page.getByRole('dialog', { name: 'Link a claim' }).waitFor()
    // From the rating, which has the focus: Cancel, then (Link is disabled until a rating is chosen) round to Close; more presses than stops, both ways.
    expect(await focusPath(page, 'Tab', 7)).toEqual(['Cancel', 'Close', 'ACH rating', 'Cancel', 'Close', 'ACH rating', 'Cancel'])
    expect(await focusPath(page, 'Shift+Tab', 4)).toEqual(['ACH rating', 'Close', 'Cancel', 'ACH rating'])
    await page.keyboard.press('Escape')
    await page.locator('dialog[open]').waitFor({ state: 'detached' })

    // The same for every dialog: they share one.
    await page.locator('main[aria-label="Assessments"]').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('?')
    await page.locator('dialog[open]').waitFor()
    const outside = async (key: string) => (await focusPath(page, key, 3)).filter((stop) => stop === '(outside the dialog)')
    expect(await outside('Tab')).toEqual([])
    expect(await outside('Shift+Tab')).toEqual([])
  })
})

/** Where the focus is after each of `times` presses of `key`: the control's name (or its radio group's), or that it left the open dialog. */
async function focusPath(page: Page, key: string, times: number): Promise<string[]> {
  const path: string[] = []
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(key)
    path.push(
      await page.evaluate(() => {
        const active = document.activeElement
        if (!active?.closest('dialog[open]')) return '(outside the dialog)'
        const group = active.closest('[role="radiogroup"]')
        return (group ?? active).getAttribute('aria-label') ?? active.textContent?.trim() ?? ''
      }),
    )
  }
  return path
}
