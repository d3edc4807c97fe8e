/**
 * What an owner's page shows of a reviewer who forges an editor's presence,
 * and of one person holding many client ids (red team 33b): the reviewer's 20
 * client ids, over raw sockets of her own, all say she is in a card's title
 * with the whole title selected in an opaque colour. The owner sees one avatar
 * for her, "Rita Reviewer" on the card (not "editing", not "+19"), no mark of
 * hers on the Title field and no caret of hers in it; a crowd of people beyond
 * three (at 1024 px) is counted "+N" in the header. An editor's own cursor, sent with the
 * same opaque colour, is drawn in the colour the page gave him, translucent.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { browserSuite, createBoardFor, describeInBrowser, openBoard, saveScreenshot } from '../helpers/browser.ts'
import { horizontalOverflow, unreachable } from '../helpers/layout.ts'
import { frames, openRawSocket, type RawSocket } from '../helpers/raw-socket.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

const CROWD = 7

describeInBrowser('presence of a reviewer and of many client ids', () => {
  const suite = browserSuite({ olga: 'Olga Owner', rita: 'Rita Reviewer', ed: 'Ed Editor' })

  it('shows a reviewer on the card she looks at, never editing it, once however many ids she holds', async () => {
    const { olga, rita, ed } = suite.accounts
    const { boardId, api } = await createBoardFor(suite.server, olga, 'Forged presence', [
      { account: rita, role: 'reviewer' },
      { account: ed, role: 'editor' },
    ])
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner regroups in Belarus' })).body.id
    const sockets: RawSocket[] = []
    const raw = async (token: string) => {
      const socket = await openRawSocket(`${suite.server.wsUrl}/${boardId}?token=${token}`)
      sockets.push(socket)
      return socket
    }
    const ritaToken = (await addToken(suite.server, rita)).token
    // Rita's read-only copy names positions in the title, and sees the presence the room holds.
    const reader = connectClient(suite.server.wsUrl, boardId, { token: ritaToken })
    try {
      await reader.synced()
      await waitFor(() => boardToModel(reader.doc, boardId).assessments.length === 1, 'the card in Rita’s copy')
      const title = assessmentText(reader.doc, card, 'title')
      const cursor = {
        anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(title, 0)),
        head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(title, title.length)),
      }
      const forged = { user: { color: '#111111', colorLight: '#111111ff' }, focus: { assessmentId: card, field: 'title' }, cursor }

      // Rita: 5 sockets of 4 client ids, each in the title with the whole title selected.
      const ritaIds: number[] = []
      for (let socket = 0; socket < 5; socket++) {
        const entries = [0, 1, 2, 3].map((k) => ({ clientId: 900_000 + socket * 4 + k, clock: 1, json: JSON.stringify(forged) }))
        ritaIds.push(...entries.map((entry) => entry.clientId))
        ;(await raw(ritaToken)).send(frames.awareness(entries))
      }
      // A crowd of people on the board, one page each.
      for (let i = 1; i <= CROWD; i++) {
        const account = await addAccount(suite.server, { name: `Walker ${i}` })
        await addMember(suite.server, boardId, account, 'editor')
        const socket = await raw((await addToken(suite.server, account)).token)
        socket.send(frames.awareness([{ clientId: 800_000 + i, clock: 1, json: JSON.stringify({ focus: null }) }]))
      }
      await waitFor(() => [...ritaIds, 800_000 + CROWD].every((id) => reader.provider.awareness.getStates().has(id)), 'everyone’s presence in the room')

      const owner = await suite.person(olga, { viewport: { width: 1024, height: 768 } })
      await openBoard(owner, suite.server, boardId)
      const page = owner.page
      const label = page.locator(`[data-card-id="${card}"] .who[data-presence="Rita Reviewer"]`)
      await label.waitFor()
      expect((await label.innerText()).trim()).toBe('Rita Reviewer')
      expect(await page.locator('[data-peer="Rita Reviewer"]').count()).toBe(1)
      expect(await page.locator('[data-peer="Rita Reviewer"]').getAttribute('title')).toBe('\u2068Rita Reviewer\u2069, reviewing “\u2068Wagner regroups in Belarus\u2069”')
      // Eight people: three avatars and "+5" at 1024 px, and the header still in the window.
      expect(await page.locator('ul[aria-label="On this board now"] [data-peer]').count()).toBe(3)
      expect(await page.locator('[data-more-people]').getAttribute('data-more-people')).toBe('5')
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
      expect(await unreachable(page.getByRole('button', { name: 'Sign out' }))).toBeNull()

      // The owner opens the card; Ed selects the whole title too, sending the same opaque colour.
      await page.locator(`[data-card-id="${card}"]`).click()
      await page.locator(`[data-inspecting="${card}"]`).waitFor()
      const edSocket = await raw((await addToken(suite.server, ed)).token)
      edSocket.send(frames.awareness([{ clientId: 700_001, clock: 1, json: JSON.stringify(forged) }]))
      const carets = () =>
        page.locator('.field:has(#label-title) .cm-ySelectionInfo').evaluateAll((infos) => infos.map((info) => info.textContent?.trim() ?? ''))
      await waitFor(async () => (await carets()).includes('Ed Editor'), 'Ed’s caret in the owner’s Title field')
      expect(await carets()).toEqual(['Ed Editor'])
      expect(await page.locator('#label-title [data-field-presence]').allInnerTexts()).toEqual(['Ed Editor'])
      // On the card, she is marked as reviewing it.
      expect(await page.locator('.kicker [data-field-presence][data-reviewing]').allInnerTexts()).toEqual(['Rita Reviewer'])
      expect((await page.locator(`[data-card-id="${card}"] .who`).innerText()).trim()).toBe('Ed Editor editing +1')

      // Ed's selection: his avatar's colour at a fifth, whatever colour he sent.
      const edColour = await page.locator('[data-peer="Ed Editor"]').evaluate((avatar) => getComputedStyle(avatar).backgroundColor)
      const translucent = edColour.replace(/^rgb\((.*)\)$/, 'rgba($1, 0.2)')
      const selections = await page.locator('.field:has(#label-title) .cm-ySelection').evaluateAll((marks) => marks.map((mark) => getComputedStyle(mark).backgroundColor))
      expect(selections.length).toBeGreaterThan(0)
      expect(new Set(selections)).toEqual(new Set([translucent]))
      await saveScreenshot(page, 'presence-reviewer-1024x768')
    } finally {
      for (const socket of sockets) socket.terminate()
      reader.destroy()
    }
  }, 180_000)
})
