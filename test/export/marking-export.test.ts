/**
 * The handling marking as the exports carry it, through the real server: the
 * TLP level a reader sees is the one every format states, whatever invisible
 * characters or handling text surround the label; a marking that shows a TLP
 * label its letters do not spell (a Cyrillic letter in it) is refused, over
 * HTTP (400) and on the websocket (4422).
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLOSE } from '../../shared/protocol.ts'
import { addToken } from '../helpers/accounts.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { barsAcross, pdfPages } from '../helpers/pdf-layout.ts'
import { tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** The bars run across the text column, 50 pt in from either edge of the page; their marking keeps 4 pt from their ends. */
const BAR_LEFT = 50
const TLP_RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'

type Bundle = { objects: { type: string; id: string; definition?: { statement: string }; object_marking_refs?: string[] }[] }

describe('the marking in exports', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Marking' })

  const exported = async (format: string) => {
    const response = await board.api.get(`/api/boards/${board.boardId}/export?format=${format}`)
    expect(response.status).toBe(200)
    return typeof response.body === 'string' ? response.body : JSON.stringify(response.body)
  }

  const expectTlpRed = async (statement: string | null) => {
    const bundle = JSON.parse(await exported('stix')) as Bundle
    const definitions = bundle.objects.filter((o) => o.type === 'marking-definition')
    expect(definitions.map((d) => d.id)[0]).toBe(TLP_RED)
    expect(definitions.slice(1).map((d) => d.definition?.statement)).toEqual(statement === null ? [] : [statement])
    const report = bundle.objects.find((o) => o.type === 'report')!
    expect(report.object_marking_refs).toEqual(definitions.map((d) => d.id))
    const html = await exported('html')
    expect(/\.marking \{[^}]*color: #([0-9A-F]{6})/i.exec(html)?.[1]).toBe('FF2B2B')
  }

  it('marks TLP:RED with more handling text as TLP:RED, keeping the whole marking as a statement', async () => {
    await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'A', kind: 'key-judgment' })
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:RED // NOFORN' })).status).toBe(200)
    await expectTlpRed('TLP:RED // NOFORN')
  })

  it('drops zero-width characters from a marking, set over the API or written by a client', async () => {
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:\u200BRED\u200B' })).status).toBe(200)
    expect((await board.api.get<{ marking: string }>(`/api/boards/${board.boardId}`)).body.marking).toBe('TLP:RED')
    await expectTlpRed(null)

    // A client writes the board's document itself, past the API's input rule: the board reads it as the API would have stored it.
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:AMBER' })).status).toBe(200)
    const client = await board.connectAs(board.owner)
    client.doc.getMap('meta').set('marking', 'TLP:\u200BRED')
    await waitFor(async () => (await board.api.get<{ marking: string }>(`/api/boards/${board.boardId}`)).body.marking === 'TLP:RED', 'the marking to be committed')
    await expectTlpRed(null)
    expect(await exported('md')).toMatch(/^\*\*TLP:RED\*\*\n/)
  })

  it('reads TLP:RED through a grapheme joiner, a variation selector or a Hangul filler, as it looks', async () => {
    await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'A', kind: 'key-judgment' })
    for (const [marking, stored] of [['TLP:R\u034FED', 'TLP:RED'], ['TLP:R\uFE00ED', 'TLP:RED'], ['TLP:RED\u034F', 'TLP:RED'], ['TLP\u3164RED', 'TLPRED']] as const) {
      expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:CLEAR' })).status).toBe(200)
      expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking })).status, JSON.stringify(marking)).toBe(200)
      expect((await board.api.get<{ marking: string }>(`/api/boards/${board.boardId}`)).body.marking).toBe(stored)
      await expectTlpRed(stored === 'TLP:RED' ? null : stored)
    }
  })

  it('refuses a marking that shows TLP:RED in letters of another script, over the API and from a client; the board stays TLP:RED', async () => {
    await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'A', kind: 'key-judgment' })
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking: 'TLP:RED' })).status).toBe(200)
    for (const marking of ['TLP:R\u0415D', '\u0422LP:RED', 'TLP\u2236RED', 'TLP:R\u0301ED']) {
      const refused = await board.api.patch<{ error?: string; message?: string }>(`/api/boards/${board.boardId}`, { marking })
      expect(refused.status, JSON.stringify(marking)).toBe(400)
      expect(JSON.stringify(refused.body)).toContain('reads as TLP:RED but is not written with its letters')
    }
    expect((await board.api.get<{ marking: string }>(`/api/boards/${board.boardId}`)).body.marking).toBe('TLP:RED')

    const mallory = await board.connectEditor('Mallory Editor')
    mallory.client.doc.getMap('meta').set('marking', 'TLP:R\u0415D')
    await waitFor(() => mallory.closes.includes(CLOSE.updateRejected.code), `the sender closed with ${CLOSE.updateRejected.code}`)
    // A later change through the room lands after anything the refused one could have done.
    expect((await board.api.patch(`/api/boards/${board.boardId}`, { question: 'Will Wagner return?' })).status).toBe(200)
    expect((await board.api.get<{ marking: string }>(`/api/boards/${board.boardId}`)).body.marking).toBe('TLP:RED')
    await expectTlpRed(null)
  })

  it('prints the whole of a long marking inside its bars, at the top and bottom of every page', async () => {
    const dirs: string[] = []
    try {
      const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
      await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'A', kind: 'key-judgment' })
      const spaced =
        'OFFICIAL-SENSITIVE // REL TO GBR, USA, CAN // Not for onward release to third parties without the originator’s written consent // DESTROY AFTER USE'
      // The longest a marking may be, and no space to break it at.
      const unbroken = 'X'.repeat(250) + 'Y'.repeat(250)
      for (const marking of [spaced, unbroken]) {
        expect((await board.api.patch(`/api/boards/${board.boardId}`, { marking })).status).toBe(200)
        const response = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?format=pdf`, { headers: { authorization } })
        expect(response.status).toBe(200)
        const dir = tempDir('assay-marking-pdf-')
        dirs.push(dir)
        const file = join(dir, 'briefing.pdf')
        writeFileSync(file, Buffer.from(await response.arrayBuffer()))
        const pages = pdfPages(file)
        const bars = barsAcross(file, dir, [BAR_LEFT + 1, BAR_LEFT + 3, pages[0]!.width - BAR_LEFT - 3, pages[0]!.width - BAR_LEFT - 1])
        expect(pages.length).toBeGreaterThan(1)
        expect(bars.length).toBe(pages.length)
        pages.forEach((page, i) => {
          // Two bars, one at the top and one at the bottom of the page (thinner runs are the tables' rules).
          const marked = bars[i]!.filter((bar) => bar.bottom - bar.top > 4)
          expect(marked).toHaveLength(2)
          for (const bar of marked) {
            const touching = page.words.filter((w) => w.yMax > bar.top && w.yMin < bar.bottom)
            for (const w of touching) {
              expect(w.yMin).toBeGreaterThanOrEqual(bar.top - 1)
              expect(w.yMax).toBeLessThanOrEqual(bar.bottom + 1)
              expect(w.xMin).toBeGreaterThanOrEqual(BAR_LEFT)
              expect(w.xMax).toBeLessThanOrEqual(page.width - BAR_LEFT)
            }
            expect(touching.map((w) => w.text).join('')).toBe(marking.replace(/\s+/g, ''))
          }
        })
      }
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    }
  })
})
