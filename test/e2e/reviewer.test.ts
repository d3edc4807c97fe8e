/**
 * A reviewer sees the same board, live, and can change nothing: no editing
 * affordance is shown, and nothing they try reaches the board.
 */
import { expect, it } from 'vitest'
import { addAccount } from '../helpers/accounts.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, seedBoard, storedUpdates } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('a reviewer', () => {
  const suite = browserSuite()

  it('sees the board live and cannot change anything', async () => {
    const owner = await addAccount(suite.server, { name: 'Ana Petrova' })
    const reviewer = await addAccount(suite.server, { name: 'Carol Reviewer' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Reviewed board', [{ account: reviewer, role: 'reviewer' }])
    // A pasted URL: 300 characters without a space.
    const pastedUrl = `https://example.org/${'a'.repeat(280)}`
    const { claim, assessments: [assessment] } = await seedBoard(api, boardId, {
      claim: 'Troops massed near the border.',
      assessments: [{ title: 'Reviewed card', judgment: `An incursion is unlikely; see ${pastedUrl}`, likelihood: 3, impact: 'major', claimLink: 'I' }],
    })
    const before = await boardModel(api, boardId)

    const { page } = await suite.personOn(reviewer, boardId)
    await page.locator('[data-link="connected"]', { hasText: 'read-only' }).waitFor()
    await page.locator(`#card-${assessment}`).click()
    await page.locator(`[data-inspecting="${assessment}"]`).waitFor()
    // The judgment's long unbroken string is broken inside the inspector, not laid past its edge.
    const judgment = page.locator(`[data-inspecting="${assessment}"] [aria-labelledby="label-judgment"]`)
    expect(await judgment.textContent()).toContain(pastedUrl)
    expect(await judgment.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)
    await page.locator('#row-' + claim).click()
    await page.locator(`[data-inspecting="${claim}"]`).waitFor()
    await page.locator(`#card-${assessment}`).click()

    // No editing affordance anywhere.
    expect(await page.getByRole('button', { name: /New assessment|Add an assessment|\+ Source|Delete|Board settings|Undo|Redo/ }).count()).toBe(0)
    expect(await page.locator('[contenteditable="true"]').count()).toBe(0)
    expect(await page.locator('[draggable="true"]').count()).toBe(0)
    expect(await page.locator('.inspector input, .inspector textarea, .inspector select').count()).toBe(0)
    for (const group of await page.locator('.inspector [role="radiogroup"]').all()) expect(await group.getAttribute('aria-readonly')).toBe('true')
    expect(await page.locator('.inspector [role="radio"]:not([aria-checked="true"]):not([disabled])').count()).toBe(0)
    await saveScreenshot(page, 'reviewer-view')

    // Nor does anything they try change the board: shortcuts, moves, undo, clicks on the read-only controls.
    await page.locator('[role="listbox"][aria-label="Assessments"]').focus()
    for (const key of ['n', 'l', 'Alt+ArrowDown', 'Alt+ArrowUp', 'Delete', 'Backspace', 'Control+z', 'Control+Shift+Z', 'Enter']) await page.keyboard.press(key)
    await page.keyboard.type('typed by a reviewer')
    expect(await page.locator('#new-assessment-title').count()).toBe(0)
    // The "a" typed opened the ACH tab (a view, not a change); back to the cards.
    await page.getByRole('tab', { name: 'Board' }).click()
    expect(await page.locator('dialog[open]').count()).toBe(0)
    await page.locator('.inspector [role="radio"][aria-checked="true"]').first().click()

    // A change from an editor still reaches the reviewer live, and the board is as the editors left it.
    await api.patch(`/api/boards/${boardId}/assessments/${assessment}`, { title: 'Renamed by the owner' })
    await page.locator(`#card-${assessment}`, { hasText: 'Renamed by the owner' }).waitFor()
    const after = await boardModel(api, boardId)
    expect({ ...after, assessments: after.assessments.map((a) => ({ ...a, title: 'Reviewed card' })) }).toEqual(before)
  })

  it('turns read-only at once when an owner makes an editor a reviewer, and back', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const editor = await addAccount(suite.server, { name: 'Eli Editor' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Changing roles', [{ account: editor, role: 'editor' }])
    await api.post(`/api/boards/${boardId}/assessments`, { title: 'A card' })
    const eli = await suite.personOn(editor, boardId)
    await eli.page.getByRole('button', { name: /New assessment/ }).waitFor()

    await api.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })
    await eli.page.locator('[data-link="connected"]', { hasText: 'read-only' }).waitFor()
    expect(await eli.page.getByRole('button', { name: /New assessment/ }).count()).toBe(0)

    await api.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'editor' })
    await eli.page.getByRole('button', { name: /New assessment/ }).waitFor()
    await eli.page.locator('[data-link="connected"]', { hasText: 'Saved' }).waitFor()
  })

  it.each([
    ['on the page as it is', false],
    ['after a reload', true],
  ])('says plainly that edits made before becoming a reviewer were not saved, keeps their text to copy and shows the stored board, %s', async (_when, reload) => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const editor = await addAccount(suite.server, { name: 'Bo Demoted' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Demoted while typing', [{ account: editor, role: 'editor' }])
    const { assessments: [assessment] } = await seedBoard(api, boardId, { claim: 'Convoys near Grodno.', assessments: [{ title: 'H1: Redeployment', judgment: 'Units are redeploying.' }] })
    const bo = await suite.personOn(editor, boardId)
    const { page } = bo
    // Bo types while his edits cannot reach the server (kept in the offline copy), and meanwhile the owner makes him a reviewer.
    await bo.context.setOffline(true)
    await page.locator('[data-link="offline"]').waitFor()
    const database = `assay:${editor.id}:${boardId}`
    const before = await storedUpdates(page, database)
    await page.locator(`#card-${assessment}`).click()
    const judgment = page.locator('.cm-content[aria-label="Judgment"]')
    await judgment.click()
    await page.keyboard.press('End')
    await page.keyboard.type(' BO TYPED THIS')
    await waitFor(async () => (await storedUpdates(page, database)) > before, 'the offline copy to keep the edit')
    await api.patch(`/api/boards/${boardId}/members/${editor.id}`, { role: 'reviewer' })
    await bo.context.setOffline(false)
    // Back online, the server refuses the edit and says so; the page asks for its role again. A reload opens the offline copy.
    if (reload) await page.reload()

    // The page says why the edit was not saved, keeps its words the server lacks to copy (not the stored text), and shows the board as stored.
    const notice = page.locator('[data-refused-edits="reviewer"]')
    await notice.waitFor()
    expect(await notice.textContent()).toContain('your role on this board changed to reviewer')
    expect(await notice.locator('textarea').inputValue()).toBe('BO TYPED THIS')
    await page.locator('[data-link="connected"][data-saved="true"]', { hasText: 'read-only' }).waitFor()
    await page.locator(`#card-${assessment}`, { hasText: 'Units are redeploying.' }).waitFor()
    expect(await page.locator(`#card-${assessment}`).textContent()).not.toContain('BO TYPED THIS')
    await saveScreenshot(page, 'edits-refused-for-reviewer')
    expect((await boardModel(api, boardId)).assessments[0]!.judgment).toBe('Units are redeploying.')

    // The offline copy no longer holds the refused edit: reloading shows the stored board, with nothing to tell.
    await page.reload()
    await page.locator('[data-link="connected"][data-saved="true"]', { hasText: 'read-only' }).waitFor()
    await page.locator(`#card-${assessment}`, { hasText: 'Units are redeploying.' }).waitFor()
    expect(await page.locator(`#card-${assessment}`).textContent()).not.toContain('BO TYPED THIS')
    expect(await page.locator('[data-refused-edits]').count()).toBe(0)
  })

  it('says so when a person is removed from the board while it is open', async () => {
    const owner = await addAccount(suite.server, { name: 'Olga Owner' })
    const editor = await addAccount(suite.server, { name: 'Rita Removed' })
    const { boardId, api } = await createBoardFor(suite.server, owner, 'Removal', [{ account: editor, role: 'editor' }])
    const rita = await suite.personOn(editor, boardId)
    await api.delete(`/api/boards/${boardId}/members/${editor.id}`)
    await rita.page.getByRole('heading', { name: 'This board is not available' }).waitFor()
  })
})
