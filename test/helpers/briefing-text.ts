/**
 * The text a reader sees in a briefing, white space collapsed, each format
 * read as its reader would: DOCX unzipped and its XML read, PDF through
 * pdftotext, HTML through a DOM, Markdown with its emphasis marks and escapes
 * undone.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { wordText } from './fixture-board.ts'

const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { document: Document } } }

export const BRIEFING_FORMATS = ['md', 'html', 'docx', 'pdf'] as const
export type BriefingFormat = (typeof BRIEFING_FORMATS)[number]

const flat = (text: string) => text.replace(/\s+/g, ' ').trim()
const decoded = (body: string | Uint8Array) => (typeof body === 'string' ? body : new TextDecoder().decode(body))

export function readerText(format: BriefingFormat, body: string | Uint8Array): string {
  switch (format) {
    case 'md':
      return flat(decoded(body).replace(/(?<!\\)\*+/g, '').replace(/\\([\\`*_[\]<>|~#&!.\-+=()])/g, '$1'))
    case 'html':
      // Cells and items apart, as a browser shows them.
      return flat(new JSDOM(decoded(body).replace(/<\/(td|th|dt|dd|li|p|h\d)>/g, '$& ')).window.document.body.textContent ?? '')
    case 'docx':
      return flat(wordText(fromFile('briefing.docx', body, (file) => execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' }))))
    case 'pdf':
      return flat(fromFile('briefing.pdf', body, (file) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })))
  }
}

/** unzip and pdftotext read a file: the body written to one in a folder of its own, removed once read. */
function fromFile(name: string, body: string | Uint8Array, read: (file: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'assay-briefing-'))
  try {
    const file = join(dir, name)
    writeFileSync(file, body)
    return read(file)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
