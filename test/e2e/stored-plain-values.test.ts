/**
 * A board stored before the relay refused an assessment's title or judgment
 * that is not a shared text (a string, a number): its room gives each such
 * field a shared text as it loads, so the browser shows every card and every
 * field is editable, with no note. Before, such a field was read-only until
 * someone patched or restored it; earlier still, opening such a card threw in
 * the page, and a card whose judgment was a number was left off the board.
 */
import { expect, it } from 'vitest'
import { assessmentText, entity } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { browserSuite, createBoardFor, describeInBrowser, editorText, openBoard, saveScreenshot, waitSaved } from '../helpers/browser.ts'
import { storeChange } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('a board stored with a title or judgment that is not a shared text', () => {
  // A board nobody holds unloads at once, so a change can be stored under it as the relay stored it then.
  const suite = browserSuite({ ana: 'Ana Petrova' }, { env: { ROOM_IDLE_MS: '0' } })

  it('shows every card, and every field editable: the stored string and number as texts', async () => {
    const { boardId } = await createBoardFor(suite.server, suite.accounts.ana, 'Stored before')
    await waitFor(() => !suite.server.services.rooms.loadedRooms.has(boardId), 'the new board’s room unloaded')
    const ids = { plainTitle: '', numberJudgment: '', normal: '' }
    await storeChange(suite.server, boardId, `ws:${suite.accounts.ana.id}`, (doc) => {
      const by = suite.accounts.ana.id
      ids.plainTitle = addAssessment(doc, { title: 'To be replaced', judgment: 'Judged plainly' }, { by })
      ids.numberJudgment = addAssessment(doc, { title: 'Judged by number', judgment: 'To be replaced' }, { by })
      ids.normal = addAssessment(doc, { title: 'Normal card', judgment: 'Editable' }, { by })
      entity(doc, 'assessments', ids.plainTitle)!.set('title', 'A plain stored title')
      entity(doc, 'assessments', ids.numberJudgment)!.set('judgment', 42)
    })

    const ana = await suite.person(suite.accounts.ana)
    await openBoard(ana, suite.server, boardId)
    const card = (id: string) => ana.page.locator(`[role="option"][data-card-id="${id}"]`)
    expect(await card(ids.plainTitle).innerText()).toContain('A plain stored title')
    expect(await card(ids.numberJudgment).innerText()).toContain('Judged by number')
    expect(await card(ids.normal).innerText()).toContain('Normal card')

    const note = ana.page.getByText('stored in an older form it cannot edit, so it is read-only')
    await card(ids.plainTitle).click()
    const title = ana.page.locator('.cm-content[aria-label="Title"]')
    await waitFor(async () => (await editorText(title)) === 'A plain stored title', 'the stored title in its field')
    expect(await note.count()).toBe(0)
    await title.click()
    await ana.page.keyboard.press('End')
    await ana.page.keyboard.type(', edited')
    await waitSaved(ana)
    const room = suite.server.services.rooms.loadedRooms.get(boardId)!
    expect(assessmentText(room.doc, ids.plainTitle, 'title').toString()).toBe('A plain stored title, edited')
    await saveScreenshot(ana.page, 'stored-plain-title')

    await card(ids.numberJudgment).click()
    const judgment = ana.page.locator('.cm-content[aria-label="Judgment"]')
    await waitFor(async () => (await editorText(judgment)) === '42', 'the stored number as the judgment’s text')
    expect(await note.count()).toBe(0)
    await judgment.click()
    await ana.page.keyboard.press('End')
    await ana.page.keyboard.type(' percent')
    await waitSaved(ana)
    expect(assessmentText(room.doc, ids.numberJudgment, 'judgment').toString()).toBe('42 percent')

    await card(ids.normal).click()
    await waitFor(async () => (await editorText(judgment)) === 'Editable', 'the normal card’s judgment in its field')
    expect(await ana.page.locator('[aria-readonly="true"]').count()).toBe(0)
  })
})
