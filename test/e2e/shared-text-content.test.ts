/**
 * A shared text holding more than characters in the browser (an offline copy
 * of a board stored before the relay refused such content): the field shows
 * the text's characters read-only with a note, and is editable again once
 * the content is removed. The server's messages are passed through a route of
 * the page's websocket, which puts the embed into the page's stream as the
 * server would have sent it.
 */
import type { WebSocketRoute } from 'playwright-core'
import * as Y from 'yjs'
import { expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import { browserSuite, createBoardFor, describeInBrowser, editorText, openBoard, saveScreenshot, waitSaved } from '../helpers/browser.ts'
import { frames } from '../helpers/raw-socket.ts'
import { waitFor } from '../helpers/wait-for.ts'

describeInBrowser('a shared text holding more than characters', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('is shown read-only with a note, and editable again once the content is gone', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Embedded')
    const assessmentId = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Target', judgment: 'Judged' })).body.id
    const ana = await suite.person(suite.accounts.ana)
    let route: WebSocketRoute | undefined
    await ana.page.routeWebSocket(/\/ws\//, (socket) => {
      socket.connectToServer()
      route = socket
    })
    await openBoard(ana, suite.server, boardId)
    await ana.page.locator('[role="option"][data-card-id]', { hasText: 'Target' }).click()
    const field = ana.page.locator('.cm-content[aria-label="Judgment"]')
    await waitFor(async () => (await editorText(field)) === 'Judged', 'the judgment in its field')

    // The change as the server would relay it: a copy of the board, an embed put into the judgment by someone else.
    const room = suite.server.services.rooms.loadedRooms.get(boardId)!
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
    const judgment = assessmentText(copy, assessmentId, 'judgment')
    const change = (edit: () => void) => {
      const before = Y.encodeStateVector(copy)
      edit()
      return Y.encodeStateAsUpdate(copy, before)
    }
    const embedded = change(() => judgment.insertEmbed(3, { image: 'https://example.org/x.png' }))
    route!.send(Buffer.from(frames.update(embedded)))

    const readOnly = ana.page.locator('[role="textbox"][aria-label="Judgment"][aria-readonly="true"]')
    await readOnly.waitFor()
    expect(await readOnly.innerText()).toBe('Judged')
    expect(await ana.page.getByText('holds formatting or embedded content it cannot edit').count()).toBe(1)
    expect(await field.count()).toBe(0)
    await saveScreenshot(ana.page, 'shared-text-read-only')

    route!.send(Buffer.from(frames.update(change(() => judgment.delete(3, 1)))))
    await field.waitFor()
    await field.click()
    await ana.page.keyboard.press('End')
    await ana.page.keyboard.type(' again')
    await waitSaved(ana)
    expect(assessmentText(room.doc, assessmentId, 'judgment').toString()).toBe('Judged again')
    copy.destroy()
  })
})
