/**
 * Member text set inside the briefing's own sentences is isolated
 * (shared/bidi.ts), through the real server, in every format that carries
 * bidi controls: an editor's key judgment titled with an unclosed
 * RIGHT-TO-LEFT OVERRIDE (U+202E) reversed the bottom line's likelihood words
 * after it ("Belarus.(%02–5) ylekilnu yrev :"), and the analytic check's line
 * naming it; a source name and URL so ended reversed the Markdown and DOCX
 * source cell. The PDF draws text in the order it is written, with every bidi
 * control dropped (server/export/bidi.ts).
 */
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FSI, PDI } from '../../shared/bidi.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { wordText } from '../helpers/fixture-board.ts'
import { leftOpen, overriddenProductText } from '../helpers/overridden-text.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { tempDir } from '../helpers/test-server.ts'

const RLO = '\u202E'

describe('member text in the briefing’s own sentences', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Overrides' })
  const title = `Wagner will withdraw from Belarus${RLO}`

  const exportedText = async (format: 'md' | 'html' | 'docx', snapshotId?: string): Promise<string> => {
    const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
    const version = snapshotId ? `&snapshot=${snapshotId}` : ''
    const response = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?format=${format}${version}`, { headers: { authorization } })
    expect(response.status).toBe(200)
    const body = Buffer.from(await response.arrayBuffer())
    if (format === 'md') return body.toString('utf8')
    // A <bdi> is an isolate, as the browser applies it.
    if (format === 'html') {
      const blocksApart = body.toString('utf8').replace(/<\/(p|li|h\d|td|th|dt|dd|tr|div|section)>/g, '\n')
      return blocksApart.replace(/<bdi>/g, FSI).replace(/<\/bdi>/g, PDI).replace(/<[^>]*>/g, '')
    }
    const dir = tempDir('assay-bidi-docx-')
    try {
      const file = join(dir, 'briefing.docx')
      writeFileSync(file, body)
      return wordText(execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' }))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('leaves no word of the briefing’s own under an editor’s unclosed override: bottom line, checks, source cell', async () => {
    const made = await board.api.post(`/api/boards/${board.boardId}/assessments`, { title, judgment: 'x', kind: 'key-judgment', likelihood: 2, confidence: 'high', impact: 'major' })
    expect(made.status).toBe(201)
    const source = await board.api.post(`/api/boards/${board.boardId}/sources`, { name: `Field report${RLO}`, url: `https://example.org/report${RLO}`, reliability: 'B' })
    expect(source.status).toBe(201)

    for (const format of ['md', 'html', 'docx'] as const) {
      const text = await exportedText(format)
      expect(text, format).toContain(`${title}${PDI}: very unlikely (5–20%).`)
      // The check that the judgment cites no claim names it as "1. title", then its own words.
      expect(text.replace('1\\.', '1.'), format).toContain(`1. ${FSI}${title}${PDI}`)
      expect(overriddenProductText(text), format).toEqual([])
    }
  })

  it('isolates each tag of a card, so that one tag’s override reverses neither the tags after it nor the commas', async () => {
    const tags = [`${RLO}tag0`, `${RLO}tag1`, 'tag2']
    const made = await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'Tagged', judgment: 'x', tags })
    expect(made.status).toBe(201)

    for (const format of ['md', 'html', 'docx'] as const) {
      const text = await exportedText(format)
      expect(text, format).toContain(`Tags: ${tags.map((tag) => `${FSI}${tag}${PDI}`).join(', ')}`)
      expect(overriddenProductText(text), format).toEqual([])
    }
  })

  it('leaves no word of the review statement under a reviewer’s name ending in an override', async () => {
    await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: 'Wagner stays', kind: 'key-judgment' })
    const snapshot = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/snapshots`, { label: 'Morning brief' })
    expect(snapshot.status).toBe(201)
    const signOff = async (name: string, decision: 'approved' | 'changes-requested') => {
      const reviewer = await addAccount(board.server, { name })
      await addMember(board.server, board.boardId, reviewer, 'reviewer')
      const api = apiClient(board.server.url, { authorization: `Bearer ${(await addToken(board.server, reviewer)).token}` })
      expect((await api.put(`/api/boards/${board.boardId}/snapshots/${snapshot.body.id}/signoff`, { decision })).status).toBe(200)
    }
    await signOff(`Mallory${RLO}`, 'changes-requested')
    await signOff('Ana Petrova', 'approved')

    for (const format of ['md', 'html', 'docx'] as const) {
      const text = await exportedText(format, snapshot.body.id)
      expect(text, format).toContain(`Changes requested by ${FSI}Mallory${RLO}${PDI}; approved by ${FSI}Ana Petrova${PDI}.`)
      expect(overriddenProductText(text), format).toEqual([])
    }
    // The board's review as the list, header and export dialog show it.
    const review = await board.api.get<{ latest: { statement: string } }>(`/api/boards/${board.boardId}/review/status`)
    expect(overriddenProductText(review.body.latest.statement)).toEqual([])
  })
})

describe('member text the product does not isolate', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: `Brief ${RLO}on Wagner` })

  it('leaves no override open after a title in the HTML page title, nor after any STIX text (red team 40b)', async () => {
    const made = await board.api.post(`/api/boards/${board.boardId}/assessments`, { title: `Card ${RLO}one`, kind: 'key-judgment', likelihood: 5, confidence: 'high' })
    expect(made.status).toBe(201)
    const source = await board.api.post(`/api/boards/${board.boardId}/sources`, { name: `Field ${RLO}report`, reliability: 'B' })
    expect(source.status).toBe(201)
    const claim = await board.api.post<{ id: string }>(`/api/boards/${board.boardId}/claims`, { text: `Convoys ${RLO}seen.`, sourceId: (source.body as { id: string }).id, credibility: 2 })
    expect(claim.status).toBe(201)

    const html = await board.api.get<string>(`/api/boards/${board.boardId}/export?format=html`)
    expect(html.status).toBe(200)
    const pageTitle = /<title>(.*)<\/title>/.exec(html.body)![1]!
    // The board's title, then " — " and the date-time group, which an override left open would reverse.
    const boardTitle = pageTitle.slice(0, pageTitle.lastIndexOf(' — '))
    expect(boardTitle).toContain(RLO)
    expect(leftOpen(boardTitle)).toBe(0)

    const stix = await board.api.get<{ objects: Record<string, unknown>[] }>(`/api/boards/${board.boardId}/export?format=stix`)
    expect(stix.status).toBe(200)
    const texts: string[] = []
    const collect = (value: unknown): void => {
      if (typeof value === 'string') texts.push(value)
      else if (Array.isArray(value)) value.forEach(collect)
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
    }
    collect(stix.body)
    const overridden = texts.filter((text) => text.includes(RLO))
    // The title, the card, the source (its identity and the claim's citation) and the claim all reach the bundle.
    expect(overridden.length).toBeGreaterThanOrEqual(4)
    expect(overridden.filter((text) => leftOpen(text) > 0)).toEqual([])
  })
})
