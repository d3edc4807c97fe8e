import { describe, expect, it } from 'vitest'
import { LIMITS } from '../limits.ts'
import { readUploadedFile, UPLOAD_ACCEPT, type UploadedFile } from './decode-upload.ts'
import { ImportError, type ImportErrorKind } from './import-error.ts'

const utf8 = (text: string) => new TextEncoder().encode(text)
const file = (name: string, content: BlobPart, type = '') => new File([content], name, { type })

async function expectImportError(reading: Promise<unknown>, kind: ImportErrorKind, message: RegExp): Promise<void> {
  const error: unknown = await reading.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ImportError)
  expect((error as ImportError).kind).toBe(kind)
  expect((error as ImportError).message).toMatch(message)
}

describe('readUploadedFile', () => {
  it('reads .txt and .md files as they are, without a byte order mark', async () => {
    expect(await readUploadedFile(file('brief.txt', 'A fell. [citation: X]'))).toBe('A fell. [citation: X]')
    expect(await readUploadedFile(file('Brief.MD', '\uFEFF# Brief\r\n*A* fell. [citation: X]'))).toBe('# Brief\r\n*A* fell. [citation: X]')
  })

  it('goes by the media type when the name has no known extension', async () => {
    expect(await readUploadedFile(file('upload', '<p>Text</p>', 'text/html; charset=utf-8'))).toBe('Text')
    expect(await readUploadedFile(file('clipboard', 'plain', 'text/plain'))).toBe('plain')
  })

  it('reads HTML as its text: scripts, styles, handlers and tags dropped, escaped markup kept as inert text', async () => {
    const html = `<!doctype html><html><head><title>Ignored</title><style>p { color: red }</style>
      <script>fetch('/steal?c=' + document.cookie)</script></head>
      <body onload="alert('body')"><h1 onclick="alert('h1')">Wire copy</h1>
      <p onmouseover="alert('p')">Troops <b>moved</b> north. Posts showed &lt;img src=x onerror=alert(1)&gt; at the border. [citation: NATO]</p>
      <p>See <a href="javascript:alert('link')">the map</a><img src="x" onerror="alert('img')" alt="map">. [citation: Reuters]</p>
      <noscript>Enable JavaScript</noscript><iframe srcdoc="<script>alert(2)</script>"></iframe><script>alert(3)</script></body></html>`
    const text = await readUploadedFile(file('wire.html', html))
    expect(text).toBe(
      'Wire copy\n\nTroops moved north. Posts showed <img src=x onerror=alert(1)> at the border. [citation: NATO]\n\nSee the map. [citation: Reuters]',
    )
    expect(text).not.toMatch(/alert\('|fetch|cookie|color|javascript:|Ignored|Enable/)
  })

  it('refuses a file that is not UTF-8, saying how to fix it', async () => {
    const latin1 = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x2e]) // "Café." in Latin-1
    await expectImportError(readUploadedFile(file('latin1.txt', latin1)), 'not-utf8', /“latin1\.txt” is not UTF-8 text\. Save it with UTF-8/)
    const utf16 = new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0xd8, 0xdc])
    await expectImportError(readUploadedFile(file('notepad.txt', utf16)), 'not-utf8', /not UTF-8/)
    await expectImportError(readUploadedFile(file('page.html', latin1)), 'not-utf8', /not UTF-8/)
  })

  it('refuses a file over the size limit from its size, before reading it', async () => {
    const huge: UploadedFile = {
      name: 'dump.txt',
      size: LIMITS.maxDocumentBytes + 1,
      arrayBuffer: () => Promise.reject(new Error('must not be read')),
    }
    await expectImportError(readUploadedFile(huge), 'too-large', /“dump\.txt” is 2\.1 MB; the limit is 2 MB\. Split it/)
    const atLimit = file('full.txt', utf8('a'.repeat(LIMITS.maxDocumentBytes)))
    expect((await readUploadedFile(atLimit)).length).toBe(LIMITS.maxDocumentBytes)
  })

  it('refuses an unsupported type, naming the supported ones', async () => {
    for (const [name, type] of [
      ['report.pdf', 'application/pdf'],
      ['report.docx', ''],
      ['README', ''],
      ['x.constructor', ''],
    ] as const) {
      await expectImportError(readUploadedFile(file(name, 'text', type)), 'unsupported-type', /Import a \.txt, \.md or \.html file, or paste the text/)
    }
  })

  it('offers the file picker exactly what it reads', () => {
    expect(UPLOAD_ACCEPT).toBe('.txt,.md,.markdown,.html,.htm,text/plain,text/markdown,text/x-markdown,text/html')
  })
})
