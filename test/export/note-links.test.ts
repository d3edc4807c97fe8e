/**
 * A claim cited again refers to the note that quotes it ("NATO (B2), see
 * note 1 — consistent (C)."), and that "note 1" is a link to the note where
 * the format has links: in HTML to the note's element, in DOCX an internal
 * hyperlink to a bookmark around the quoting footnote, in the PDF a link to a
 * named destination on it. The text reads the same in every format, Markdown
 * included. Every id, bookmark and destination is made of a note's number:
 * the board's text, which any editor writes, makes none of them.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { BatchOperation } from '../../shared/board-batch.ts'
import { addToken } from '../helpers/accounts.ts'
import { readerText } from '../helpers/briefing-text.ts'
import { wordText } from '../helpers/fixture-board.ts'
import { useOwnedBoard, type OwnedBoard } from '../helpers/owned-board.ts'
import { tempDir } from '../helpers/test-server.ts'

const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { document: Document } } }

/** Member text that would make ids, anchors and destinations of its own were it ever written unescaped or taken for a name. */
const HOSTILE_SOURCE = 'NATO"><li id="note-1">'
const FIRST_CLAIM = 'Troops massed near the border. <a id="note-2" href="#note-9">see note 9</a>'
const SECOND_CLAIM = 'Fuel convoys moved north.'

async function seed(board: OwnedBoard): Promise<void> {
  const operations: BatchOperation[] = [
    { op: 'add', collection: 'sources', ref: 'src', input: { name: HOSTILE_SOURCE, reliability: 'B' } },
    { op: 'add', collection: 'claims', ref: 'c1', input: { text: FIRST_CLAIM, sourceId: '@src', credibility: 2 } },
    { op: 'add', collection: 'claims', ref: 'c2', input: { text: SECOND_CLAIM, sourceId: '@src', credibility: 2 } },
    ...['<h2 id="note-3">First', 'note_1'].flatMap((title, a): BatchOperation[] => [
      { op: 'add', collection: 'assessments', ref: `a${a}`, input: { title, kind: 'assessment' } },
      { op: 'add', collection: 'links', input: { assessmentId: `@a${a}`, claimId: '@c1', rating: 'C' } },
      { op: 'add', collection: 'links', input: { assessmentId: `@a${a}`, claimId: '@c2', rating: 'C' } },
    ]),
  ]
  const response = await board.api.post(`/api/boards/${board.boardId}/batch`, { operations })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
}

async function exported(board: OwnedBoard, format: string): Promise<Buffer> {
  const authorization = `Bearer ${(await addToken(board.server, board.owner)).token}`
  const response = await fetch(`${board.server.url}/api/boards/${board.boardId}/export?format=${format}`, { headers: { authorization } })
  expect(response.status, format).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

/** What a command prints of the file, written to a folder of its own and removed after. */
function readFile(name: string, body: Buffer, command: string, args: (file: string) => string[]): string {
  const dir = tempDir()
  try {
    const file = join(dir, name)
    writeFileSync(file, body)
    return execFileSync(command, args(file), { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('a note that refers to an earlier one', () => {
  const board = useOwnedBoard({ owner: 'Olga Owner', board: 'Cited twice' })

  it('reads the same in every format', async () => {
    await seed(board)
    for (const format of ['md', 'html', 'docx', 'pdf'] as const) {
      const text = readerText(format, await exported(board, format))
      // DOCX's footnotes are not in its document's text; its notes are read below.
      if (format === 'docx') continue
      expect(text, format).toMatch(/\(B2\), see note 1 — consistent \(C\)\./)
      expect(text, format).toMatch(/\(B2\), see note 2 — consistent \(C\)\./)
    }
  })

  it('links to the note in HTML, with ids the server made, each once', async () => {
    await seed(board)
    const document = new JSDOM((await exported(board, 'html')).toString('utf8')).window.document
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id)
    expect(ids).toEqual(['note-1', 'note-2', 'note-3', 'note-4'])
    // Every in-page link lands on an element.
    const anchors = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!)
    expect(anchors.length).toBeGreaterThan(0)
    for (const href of anchors) expect(document.getElementById(href.replace(/^#/, '')), href).not.toBeNull()

    // Notes 3 and 4 cite again the claims notes 1 and 2 quote (in the board's order of claims).
    const links = ['note-3', 'note-4'].map((id) => {
      const referring = document.getElementById(id)!
      const link = referring.querySelector('a')!
      const to = link.getAttribute('href')!
      expect(referring.textContent).toMatch(new RegExp(`\\(B2\\), see ${link.textContent} — consistent \\(C\\)\\.$`))
      expect(link.textContent).toBe(to.replace('#note-', 'note '))
      return [to, document.getElementById(to.slice(1))!.textContent]
    })
    expect(links.map(([to]) => to).sort()).toEqual(['#note-1', '#note-2'])
    expect(links.map(([, quoting]) => [FIRST_CLAIM, SECOND_CLAIM].filter((claim) => quoting!.includes(claim)))).toEqual(
      expect.arrayContaining([[FIRST_CLAIM], [SECOND_CLAIM]]),
    )
  })

  it('links to the footnote in DOCX: an internal hyperlink to a bookmark around it', async () => {
    await seed(board)
    const docx = await exported(board, 'docx')
    const xml = readFile('briefing.docx', docx, 'unzip', (file) => ['-p', file, 'word/footnotes.xml'])
    // A bookmark's id is unique in the whole document, its body and its notes.
    const body = readFile('briefing.docx', docx, 'unzip', (file) => ['-p', file, 'word/document.xml'])
    const bookmarkIds = [...(body + xml).matchAll(/<w:bookmarkStart [^>]*w:id="(\d+)"/g)].map((m) => m[1])
    expect(new Set(bookmarkIds).size).toBe(bookmarkIds.length)
    const footnotes = xml.split('</w:footnote>').filter((footnote) => /<w:footnote [^>]*w:id="[1-9]/.test(footnote))
    expect(footnotes).toHaveLength(4)
    const bookmarks = [...xml.matchAll(/<w:bookmarkStart [^>]*w:name="([^"]*)"/g)].map((m) => m[1])
    expect(bookmarks).toEqual(['note_1', 'note_2'])
    const quoting = (name: string) => wordText(footnotes.find((footnote) => footnote.includes(`w:name="${name}"`))!)
    expect([quoting('note_1'), quoting('note_2')].map((text) => [FIRST_CLAIM, SECOND_CLAIM].filter((claim) => text.includes(claim)))).toEqual(
      expect.arrayContaining([[FIRST_CLAIM], [SECOND_CLAIM]]),
    )
    const links = footnotes.flatMap((footnote) => [...footnote.matchAll(/<w:hyperlink [^>]*w:anchor="([^"]*)"[^>]*>(.*?)<\/w:hyperlink>/g)])
    expect(links.map((m) => [m[1], wordText(m[2]!)]).sort()).toEqual([
      ['note_1', 'note 1'],
      ['note_2', 'note 2'],
    ])
    expect(wordText(footnotes.find((footnote) => footnote.includes('w:anchor="note_1"'))!).trim()).toMatch(/\(B2\), see note 1 — consistent \(C\)\.$/)
  })

  it('links to the note in the PDF: a link to a named destination on it', async () => {
    await seed(board)
    const pdf = await exported(board, 'pdf')
    const destinations = readFile('briefing.pdf', pdf, 'pdfinfo', (file) => ['-dests', file])
    expect([...destinations.matchAll(/"(note-\d+)"/g)].map((m) => m[1]).sort()).toEqual(['note-1', 'note-2'])
    // pdfkit writes the link annotations' dictionaries as they are, outside any compressed stream; pdfmake lays out
    // "note 1" word by word, so each word is a link.
    const goTos = [...pdf.toString('latin1').matchAll(/\/S \/GoTo\s*\/D \(([^)]*)\)/g)].map((m) => m[1])
    expect([...new Set(goTos)].sort()).toEqual(['note-1', 'note-2'])
  })
})
