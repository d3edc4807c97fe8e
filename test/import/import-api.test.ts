import { execFile } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { LIMITS } from '../../shared/limits.ts'
import { apiClient } from '../helpers/api.ts'
import { openAccess } from '../helpers/open-access.ts'
import { SAMPLE_ARTICLE } from '../helpers/sample-article.ts'
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const CLI = fileURLToPath(new URL('../../server/cli/assay.js', import.meta.url))

type ImportBody = { outcome: string; sources: { name: string; id: string | null }[]; claims: { id: string | null }[] }

describe('import over HTTP and the CLI', () => {
  let server: TestServer
  let boardId: string
  const clients: TestClient[] = []
  beforeEach(async () => {
    server = await startTestServer({ access: () => openAccess() })
    boardId = await apiClient(server.url).createBoard('Import')
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  const api = () => apiClient(server.url)
  const board = async () => (await api().get<BoardModel>(`/api/boards/${boardId}`)).body
  const upload = (name: string, content: BlobPart, type = '') => {
    const form = new FormData()
    form.set('file', new File([content], name, { type }))
    return fetch(`${server.url}/api/boards/${boardId}/import`, { method: 'POST', body: form })
  }

  it('previews without changing anything, then imports as one change others see at once', async () => {
    const watcher = connectClient(server.wsUrl, boardId)
    clients.push(watcher)
    await watcher.synced()
    const updates: number[] = []
    watcher.doc.on('update', () => updates.push(Date.now()))

    const preview = await api().post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE, preview: true })
    expect(preview.status).toBe(200)
    expect(preview.body.outcome).toBe('import')
    expect(preview.body.sources.map((s) => s.name)).toContain('NATO')
    expect((await board()).claims).toHaveLength(0)

    const imported = await api().post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
    expect(imported.status).toBe(200)
    const model = await board()
    expect(model.claims).toHaveLength(preview.body.claims.length)
    expect(model.sources.every((s) => s.reliability === 'F')).toBe(true)
    expect(model.claims.every((c) => c.credibility === 6 && c.documentId === model.documents[0]?.id)).toBe(true)
    await waitFor(() => boardToModel(watcher.doc, boardId).claims.length === model.claims.length, 'the import at the client')
    expect(updates).toHaveLength(1)

    const again = await api().post<ImportBody>(`/api/boards/${boardId}/import`, { text: SAMPLE_ARTICLE })
    expect(again.body.outcome).toBe('already-imported')
    expect((await board()).claims).toHaveLength(model.claims.length)
  })

  it('reads an uploaded HTML file as inert text', async () => {
    const html = '<html><head><script>alert(1)</script><style>p{}</style></head><body><h1>Brief</h1><p onclick="steal()">The convoy moved at night. <img src=x onerror=alert(1)> [citation: Field report]</p></body></html>'
    const response = await upload('brief.html', html, 'text/html')
    expect(response.status).toBe(200)
    const model = await board()
    expect(model.sources.map((s) => s.name)).toEqual(['Field report'])
    expect(model.claims.map((c) => c.text)).toEqual(['The convoy moved at night.'])
    expect(JSON.stringify(model)).not.toMatch(/alert|steal|<script|onerror/)
  })

  it('takes its media types in any case, as media types are', async () => {
    const post = (contentType: string, body: string) =>
      fetch(`${server.url}/api/boards/${boardId}/import`, { method: 'POST', headers: { 'content-type': contentType }, body })
    const json = await post('APPLICATION/JSON; charset=UTF-8', JSON.stringify({ text: 'The convoy left at dawn. [citation: Field report]' }))
    expect(json.status).toBe(200)
    const boundary = 'B0undary'
    const form = [
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="brief.txt"\r\nContent-Type: text/plain\r\n\r\nThe bridge was down by noon. [citation: Field report]\r\n`,
      `--${boundary}--\r\n`,
    ].join('')
    const upload = await post(`Multipart/Form-Data; boundary=${boundary}`, form)
    expect(upload.status).toBe(200)
    expect((await board()).claims.map((c) => c.text).sort()).toEqual(['The bridge was down by noon.', 'The convoy left at dawn.'])
  })

  it('refuses bad input with a clear error and changes nothing', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [fetch(`${server.url}/api/boards/${boardId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '   ' }) }), 400, /empty/i],
      [fetch(`${server.url}/api/boards/${boardId}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'A paragraph with no marker.' }) }), 400, /citation/i],
      [upload('big.txt', 'x'.repeat(LIMITS.maxDocumentBytes + 1)), 413, /MB/],
      [upload('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x5b])), 400, /UTF-8/],
      [upload('report.pdf', '%PDF-1.4', 'application/pdf'), 415, /\.txt/],
      // 50,000 levels of <div> (244 KiB) overflowed the worker's stack reading it: 500.
      [upload('nested.html', `${'<div>'.repeat(50_000)}The convoy moved. [citation: Field report]`, 'text/html'), 400, /more than 256 deep/],
    ]
    for (const [pending, status, message] of cases) {
      const response = await pending
      const body = (await response.json()) as { error: { message: string } }
      expect({ status: response.status, message: body.error.message }).toEqual({ status, message: expect.stringMatching(message) })
    }
    const model = await board()
    expect([model.documents.length, model.sources.length, model.claims.length]).toEqual([0, 0, 0])
  })

  it('imports from the command line', async () => {
    await server.close()
    const dir = tempDir()
    try {
      const file = join(dir, 'article.txt')
      writeFileSync(file, SAMPLE_ARTICLE)
      const env = { ...process.env, DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' }
      const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env })
      const { stdout } = await run(['import', file, '--board', boardId])
      expect(stdout).toMatch(/added \d+ claims and 7 new sources/)
      const missing = await run(['import', join(dir, 'nope.txt'), '--board', boardId]).catch((error: { stderr: string; code: number }) => error)
      expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    server = await server.restart()
    expect((await board()).sources).toHaveLength(7)
    // Two CLI processes, each compiling TypeScript as it starts: room for a loaded machine.
  }, 120_000)
})
