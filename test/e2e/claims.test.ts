/**
 * Claims as a document gave them: an imported multi-source article lists its
 * sources in the order it first cites them and each source's claims in the
 * document's order, the same on two boards, in the model, the browser and the
 * exports. An imported claim's quote is read-only with the analyst's note
 * beside it; a claim typed by hand is marked so, in the list and the briefing,
 * and so is one stored before the relay's rules that names a document without
 * quoting it: shown and edited as a claim by hand, as the API reads it.
 */
import { expect, it } from 'vitest'
import { entities } from '../../shared/board-doc.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { applyImport } from '../../shared/import/apply-import.ts'
import { parseSourceText } from '../../shared/import/parse-source.ts'
import { boardModel, browserSuite, createBoardFor, describeInBrowser, saveScreenshot, waitSaved } from '../helpers/browser.ts'
import { SAMPLE_ARTICLE, SAMPLE_ARTICLE_SOURCES } from '../helpers/sample-article.ts'
import { waitFor } from '../helpers/wait-for.ts'


/** The claims list's rows as the reader meets them: each source, then its claims. */
function expectedRows(board: BoardModel): string[] {
  return board.sources.flatMap((source) => [`source:${source.id}`, ...board.claims.filter((c) => c.sourceId === source.id).map((c) => c.id)])
}

describeInBrowser('claims', () => {
  const suite = browserSuite({ ana: 'Ana Petrova' })

  it('keeps the article’s order: sources as first cited, claims by paragraph and place, on every board and in every view', async () => {
    const boards: { boardId: string; board: BoardModel; api: Awaited<ReturnType<typeof createBoardFor>>['api'] }[] = []
    for (const title of ['Order one', 'Order two']) {
      const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, title)
      expect((await api.post(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })).status).toBe(200)
      boards.push({ boardId, api, board: await boardModel(api, boardId) })
    }
    const [first, second] = boards as [(typeof boards)[0], (typeof boards)[0]]
    const parsed = parseSourceText(SAMPLE_ARTICLE)
    expect(first.board.sources.map((s) => s.name)).toEqual(SAMPLE_ARTICLE_SOURCES)
    expect(second.board.sources.map((s) => s.name)).toEqual(SAMPLE_ARTICLE_SOURCES)
    expect(first.board.claims.map((c) => c.text)).toEqual(parsed.claims.map((c) => c.text))
    expect(second.board.claims.map((c) => c.text)).toEqual(parsed.claims.map((c) => c.text))

    // The browser lists the same order: the source filter, and the rows (virtualized: scrolled through).
    const ana = await suite.personOn(suite.accounts.ana, first.boardId)
    const { page } = ana
    const options = await page.getByRole('combobox', { name: 'Only claims from this source' }).locator('option').allInnerTexts()
    expect(options.slice(1)).toEqual(SAMPLE_ARTICLE_SOURCES)
    const list = page.getByRole('listbox', { name: 'Claims, grouped by source' })
    const seen: string[] = []
    const readRows = async () => {
      const rows = await list.locator('[role="option"]').evaluateAll((elements) =>
        elements.map((element) => element.getAttribute('data-claim-id') ?? `source:${element.id.replace(/^row-source-/, '')}`),
      )
      for (const row of rows) if (!seen.includes(row)) seen.push(row)
    }
    const expected = expectedRows(first.board)
    await list.focus()
    await page.keyboard.press('Home')
    await waitFor(async () => {
      await readRows()
      if (seen.length >= expected.length) return true
      await page.keyboard.press('PageDown').catch(() => undefined)
      await list.evaluate((element) => element.scrollBy(0, 300))
      return false
    }, 'every row of the claims list to have been shown')
    expect(seen).toEqual(expected)

    // The exports: the briefing's sources table and the JSON model.
    const markdown = (await first.api.get<string>(`/api/boards/${first.boardId}/export?format=md`)).body
    const tableNames = SAMPLE_ARTICLE_SOURCES.map((name) => markdown.indexOf(`| ${name} |`))
    expect(tableNames.every((at) => at > 0)).toBe(true)
    expect([...tableNames].sort((a, b) => a - b)).toEqual(tableNames)
    const json = (await first.api.get<BoardModel>(`/api/boards/${first.boardId}/export?format=json`)).body
    expect(json.claims.map((c) => c.id)).toEqual(first.board.claims.map((c) => c.id))
  })

  it('shows an imported quote read-only beside the analyst’s note, and marks a claim typed by hand', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Quotes')
    expect((await api.post(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })).status).toBe(200)
    const imported = (await boardModel(api, boardId)).claims[0]!
    const typed = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: 'Wagner convoys seen near Asipovichy', sourceId: imported.sourceId })).body.id
    const card = (await api.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner regroups in Belarus', kind: 'key-judgment' })).body.id
    for (const claimId of [imported.id, typed]) expect((await api.post(`/api/boards/${boardId}/links`, { assessmentId: card, claimId, rating: 'C' })).status).toBe(201)
    const ana = await suite.personOn(suite.accounts.ana, boardId)
    const { page } = ana

    await page.locator(`[data-claim-id="${imported.id}"]`).click()
    const inspector = page.locator(`[data-inspecting="${imported.id}"]`)
    await inspector.locator('blockquote.quote', { hasText: imported.text }).waitFor()
    expect(await inspector.getByRole('textbox', { name: 'Claim', exact: true }).count()).toBe(0)
    expect(await inspector.getByRole('combobox', { name: 'Source' }).count()).toBe(0)
    const note = inspector.getByRole('textbox', { name: 'Analyst’s note' })
    await note.fill('NATO’s own framing; compare with the Kremlin’s.')
    await note.blur()
    await waitSaved(ana)
    await waitFor(async () => (await boardModel(api, boardId)).claims[0]!.note === 'NATO’s own framing; compare with the Kremlin’s.', 'the note stored')
    await saveScreenshot(page, 'claim-quote')

    const typedRow = page.locator(`[data-claim-id="${typed}"]`)
    await typedRow.locator('.by-hand').waitFor()
    expect(await typedRow.textContent()).toContain('(added by hand)')
    expect(await page.locator(`[data-claim-id="${imported.id}"] .by-hand`).count()).toBe(0)
    await typedRow.click()
    const typedInspector = page.locator(`[data-inspecting="${typed}"]`)
    await typedInspector.getByText('added by hand', { exact: true }).waitFor()
    const text = typedInspector.getByRole('textbox', { name: 'Claim', exact: true })
    await text.fill('Wagner convoys were seen near Asipovichy.')
    await text.blur()
    await waitFor(async () => (await boardModel(api, boardId)).claims.some((c) => c.text === 'Wagner convoys were seen near Asipovichy.'), 'the typed claim edited')

    const markdown = (await api.get<string>(`/api/boards/${boardId}/export?format=md`)).body
    // Member text inside the briefing's sentences is between FSI and PDI (server/export/bidi.ts).
    expect(markdown).toContain(`“\u2068${imported.text}\u2069” — consistent (C). Analyst’s note: \u2068NATO’s own framing; compare with the Kremlin’s.\u2069`)
    expect(markdown).toContain('“\u2068Wagner convoys were seen near Asipovichy.\u2069” (added by hand) — consistent (C).')
  })

  it('shows a claim stored before the rules, naming a document without quoting it, as a claim by hand its owner can correct', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Old forged quote')
    // Changed on the server, past the relay's rules, as such a claim was stored before the relay refused it.
    await suite.server.services.rooms.withRoom(boardId, (room) => room.change((doc) => {
      applyImport(doc, parseSourceText(SAMPLE_ARTICLE), { by: 'Ana Petrova' })
      // The article's first claim: the first row of the claims list, drawn without scrolling.
      const first = parseSourceText(SAMPLE_ARTICLE).claims[0]!.text
      const [, claim] = [...entities(doc, 'claims')].find(([, map]) => map.get('text') === first)!
      claim.set('text', 'NATO saw every sign of a nuclear strike.')
    }))
    const forged = (await boardModel(api, boardId)).claims.find((c) => c.text === 'NATO saw every sign of a nuclear strike.')!
    expect(forged).not.toHaveProperty('documentId')
    const { page } = await suite.personOn(suite.accounts.ana, boardId)

    const row = page.locator(`[data-claim-id="${forged.id}"]`)
    await row.locator('.by-hand').waitFor()
    await row.click()
    const inspector = page.locator(`[data-inspecting="${forged.id}"]`)
    const text = inspector.getByRole('textbox', { name: 'Claim', exact: true })
    await text.fill('NATO saw no sign of a nuclear strike.')
    await text.blur()
    await waitFor(async () => (await boardModel(api, boardId)).claims.some((c) => c.id === forged.id && c.text === 'NATO saw no sign of a nuclear strike.'), 'the corrected words stored')
  })

  it('isolates a source name ending in a right-to-left override from the grade after it, and wraps a long unbroken claim inside its row', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Overrides')
    const name = 'Reuters\u202E'
    const sourceId = (await api.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name, reliability: 'A' })).body.id
    const unbroken = 'W'.repeat(400)
    const claimId = (await api.post<{ id: string }>(`/api/boards/${boardId}/claims`, { text: unbroken, sourceId, credibility: 5 })).body.id
    const { page } = await suite.personOn(suite.accounts.ana, boardId)

    // The claims list: the name inside a bdi, its grade right after it.
    const sourceRow = page.locator(`#row-source-${sourceId}`)
    await sourceRow.waitFor()
    expect(await sourceRow.locator('.source-name bdi').textContent()).toBe(name)
    expect(await sourceRow.locator('.source-name').evaluate((element) => element.nextElementSibling?.classList.contains('grade'))).toBe(true)
    // The claim's one word of 400 letters is broken within its row, not laid past it.
    const claimText = page.locator(`[data-claim-id="${claimId}"] .text`)
    expect(await claimText.locator('bdi').last().textContent()).toBe(unbroken)
    expect(await claimText.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)

    // The inspector's source line: "Reuters‮ — Completely reliable (A)" reads left to right after the name, "(" before "A" before ")".
    await page.locator(`[data-claim-id="${claimId}"]`).click()
    const line = page.locator(`[data-inspecting="${claimId}"] [data-source-line]`)
    await line.waitFor()
    expect(await line.locator('bdi').textContent()).toBe(name)
    const lefts = await line.evaluate((button) => {
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT)
      const after: Text[] = []
      for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest('bdi')) after.push(node as Text)
      return ['(', 'A', ')'].map((mark) => {
        const node = after.findLast((text) => text.data.includes(mark))!
        const range = document.createRange()
        range.setStart(node, node.data.lastIndexOf(mark))
        range.setEnd(node, node.data.lastIndexOf(mark) + 1)
        return range.getBoundingClientRect().left
      })
    })
    expect(lefts).toEqual([...lefts].sort((a, b) => a - b))
  })

  it('isolates a document title ending in a right-to-left override from the inspector’s “, paragraph N.” after it', async () => {
    const { boardId, api } = await createBoardFor(suite.server, suite.accounts.ana, 'Override title')
    const title = 'Wagner dispatch\u202E'
    expect((await api.post(`/api/boards/${boardId}/import`, { text: `${title}\n\nColumns moved north. [citation: NATO]` })).status).toBe(200)
    const claimId = (await boardModel(api, boardId)).claims[0]!.id
    const { page } = await suite.personOn(suite.accounts.ana, boardId)
    await page.locator(`[data-claim-id="${claimId}"]`).click()
    const line = page.locator(`[data-inspecting="${claimId}"] .provenance p`)
    await line.waitFor()
    expect(await line.locator('bdi').textContent()).toBe(title)
    // "paragraph 1" after the title drawn left to right: "p" before "h" before "1".
    const lefts = await line.evaluate((paragraph) => {
      const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT)
      const after: Text[] = []
      for (let node = walker.nextNode(); node; node = walker.nextNode()) if (!node.parentElement?.closest('bdi')) after.push(node as Text)
      const node = after.find((text) => text.data.includes('paragraph'))!
      return [0, 8, 10].map((offset) => {
        const range = document.createRange()
        const at = node.data.indexOf('paragraph') + offset
        range.setStart(node, at)
        range.setEnd(node, at + 1)
        return range.getBoundingClientRect().left
      })
    })
    expect(lefts).toEqual([...lefts].sort((a, b) => a - b))
  })
})
