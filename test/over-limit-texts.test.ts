/**
 * Texts over their limit that reach the board through the relay, against the
 * real server. The relay must take them: two editors, one offline, can each
 * keep a judgment within 20,000 characters and merge to more. The board reads
 * them cut to their limit: the card stays everywhere it is read (the API, the
 * exports, snapshots), with its links; the settings an editor's client writes
 * past the API's limits (as far as the relay lets them: twice the limit) are
 * read cut and normalised, and the PDF export of a board whose client wrote a
 * marking past its limit answers, with its bars a few lines high.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assessmentText, blufText, metaMap } from '../shared/board-doc.ts'
import { LIMITS } from '../shared/limits.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { MAX_MARKING_LINES } from '../server/export/pdf-marking.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { pdfPages } from './helpers/pdf-layout.ts'
import { tempDir } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('texts over their limit written through the relay', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Limits' })
  const base = () => `/api/boards/${board.boardId}`
  const readBoard = async () => (await board.api.get<BoardModel>(base())).body

  it('keeps a card whose judgment two editors merged past its limit, cut to it, with its links, in the API, exports and snapshots', async () => {
    const [alice, bob] = [await addAccount(board.server, { name: 'Alice' }), await addAccount(board.server, { name: 'Bob' })]
    await addMember(board.server, board.boardId, alice, 'editor')
    await addMember(board.server, board.boardId, bob, 'editor')
    const start = 'x'.repeat(LIMITS.longText - 10)
    const card = (await board.api.post<{ id: string }>(`${base()}/assessments`, { title: 'Key judgment', judgment: start })).body.id
    const source = (await board.api.post<{ id: string }>(`${base()}/sources`, { name: 'NATO', reliability: 'B' })).body.id
    const claim = (await board.api.post<{ id: string }>(`${base()}/claims`, { text: 'No signs of preparation.', sourceId: source, credibility: 2 })).body.id
    const link = (await board.api.post<{ id: string }>(`${base()}/links`, { assessmentId: card, claimId: claim, rating: 'CC' })).body.id

    const a = await board.connectAs(alice)
    const b = await board.connectAs(bob)
    // Bob goes offline; each adds ten characters, within the limit in their own copy.
    b.provider.disconnect()
    assessmentText(a.doc, card, 'judgment').insert(start.length, ' Alice ad')
    assessmentText(b.doc, card, 'judgment').insert(0, 'Bob adds. ')
    expect(assessmentText(a.doc, card, 'judgment').length).toBe(LIMITS.longText - 1)
    expect(assessmentText(b.doc, card, 'judgment').length).toBe(LIMITS.longText)
    b.provider.connect()
    const merged = `Bob adds. ${start} Alice ad`
    await waitFor(() => assessmentText(a.doc, card, 'judgment').toString() === merged, 'the merge to reach Alice')

    // The relay took the merge; the board reads it cut to the limit.
    const cut = merged.slice(0, LIMITS.longText)
    const read = await waitFor(async () => {
      const model = await readBoard()
      return model.assessments.find((x) => x.id === card)?.judgment === cut ? model : null
    }, 'the board to read the merged judgment, cut')
    expect(read.links.map((l) => l.id)).toEqual([link])

    const markdown = await board.api.get<string>(`${base()}/export?format=md`)
    expect(markdown.status).toBe(200)
    expect(markdown.body).toContain('Key judgment')
    expect(markdown.body).toContain(`Bob adds. ${'x'.repeat(100)}`)
    expect(markdown.body).not.toContain('Alice ad')

    const snapshot = await board.api.post<{ id: string }>(`${base()}/snapshots`, { label: 'merged' })
    expect(snapshot.status).toBe(201)
    const held = (await board.api.get<BoardModel>(`${base()}/snapshots/${snapshot.body.id}`)).body
    expect(held.assessments.map((x) => [x.id, x.judgment])).toEqual([[card, cut]])
    expect(held.links.map((l) => l.id)).toEqual([link])
  })

  it('reads settings a client wrote past their limits cut to them, in the API, the board list and the exports', async () => {
    // A plain value may be set as far as twice its limit through the relay (server/relay/field-values.ts).
    const client = await board.connectAs(board.owner)
    client.doc.transact(() => {
      metaMap(client.doc).set('title', 'T'.repeat(2 * LIMITS.shortText))
      metaMap(client.doc).set('marking', `TLP:\u200BRED ${'M'.repeat(2 * LIMITS.shortText - 9)}`)
      metaMap(client.doc).set('question', 'Q'.repeat(2 * LIMITS.longText))
      // A shared text may go as far as twice its limit through the relay (server/relay/text-lengths.ts).
      blufText(client.doc).insert(0, 'B'.repeat(2 * LIMITS.longText))
    })
    const read = await waitFor(async () => {
      const model = await readBoard()
      return model.title.startsWith('T') ? model : null
    }, 'the settings to be committed')
    expect(read.title).toBe('T'.repeat(LIMITS.shortText))
    // Normalised as the API would have stored it: without the zero-width space, then cut.
    expect(read.marking).toBe(`TLP:RED ${'M'.repeat(LIMITS.shortText - 8)}`)
    expect(read.question).toBe('Q'.repeat(LIMITS.longText))
    expect(read.bluf).toBe('B'.repeat(LIMITS.longText))

    const listed = await waitFor(async () => {
      const list = await board.api.get<{ id: string; title: string; marking: string }[]>('/api/boards')
      return list.body.find((b) => b.id === board.boardId && b.title.startsWith('T'))
    }, 'the board list to show the new title')
    expect([listed.title.length, listed.marking.length]).toEqual([LIMITS.shortText, LIMITS.shortText])

    for (const format of ['html', 'md']) {
      const exported = await board.api.get<string>(`${base()}/export?format=${format}`)
      expect(exported.status).toBe(200)
      expect(exported.body).not.toContain('T'.repeat(LIMITS.shortText + 1))
      expect(exported.body).not.toContain('M'.repeat(LIMITS.shortText))
      expect(exported.body).not.toContain('B'.repeat(LIMITS.longText + 1))
    }
  })

  it('exports as a PDF the board whose client wrote a marking past its limit, the marking bars a few lines high', async () => {
    await board.api.post(`${base()}/assessments`, { title: 'A', judgment: 'j' })
    const client = await board.connectAs(board.owner)
    metaMap(client.doc).set('marking', `TLP:AMBER ${'M'.repeat(2 * LIMITS.shortText - 10)}`)
    await waitFor(async () => (await readBoard()).marking.startsWith('TLP:AMBER M'), 'the marking to be committed')

    const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
    const response = await fetch(`${board.server.url}${base()}/export?format=pdf`, { headers: { authorization } })
    expect(response.status).toBe(200)
    const dir = tempDir('assay-long-marking-')
    try {
      const file = join(dir, 'briefing.pdf')
      writeFileSync(file, Buffer.from(await response.arrayBuffer()))
      const [page] = pdfPages(file)
      // The marking's words are runs of M; each bar holds at most MAX_MARKING_LINES of them, at the top and the bottom.
      const markingLines = new Set(page!.words.filter((w) => /^M{5,}/.test(w.text)).map((w) => Math.round(w.yMin)))
      expect(markingLines.size).toBeGreaterThan(0)
      expect(markingLines.size).toBeLessThanOrEqual(2 * MAX_MARKING_LINES)
      const printed = page!.words.filter((w) => /^M+…?$/.test(w.text)).reduce((sum, w) => sum + w.text.replace('…', '').length, 0)
      expect(printed).toBeLessThanOrEqual(2 * LIMITS.shortText)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
