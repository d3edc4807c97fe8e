/** What the command line takes from its options and where it writes: the API's rules for a title, and a plain line for a file it cannot write. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { apiClient } from './helpers/api.ts'
import { runCli, type CliRun } from './helpers/run-cli.ts'
import { startTestServer, tempDir, type TestServer } from './helpers/test-server.ts'

function assay(args: string[], dataDir: string): Promise<CliRun> {
  return runCli(args, { LOG_LEVEL: 'warn', DATABASE_URL: '', DATA_DIR: dataDir })
}

/** Control characters, a carriage return, a bidi override and spaces around: what a paste brings. */
const PASTED_TITLE = '  Ops\u0007 board\u202e\r\nnext\u001b  '
const TOO_LONG = 'Too big: expected string to have <=500 characters'

describe('assay board create --title', () => {
  let server: TestServer | undefined
  afterEach(async () => {
    await server?.destroy()
    server = undefined
  })

  it('refuses a title the API refuses, and cleans one as the API does', async () => {
    server = await startTestServer()
    const api = apiClient(server.url)
    expect((await api.post('/api/boards', { title: 'y'.repeat(600) })).status).toBe(400)

    for (const title of ['x'.repeat(100_000), 'y'.repeat(600), ' \u0007 ']) {
      const refused = await assay(['board', 'create', '--title', title], server.dataDir)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^assay: --title: .+\nusage: assay board create --title TITLE \[--owner EMAIL\]\n$/)
      expect(refused.stdout).toBe('')
    }
    expect(await server.services.storage.boards.list()).toEqual([])

    const created = await assay(['board', 'create', '--title', PASTED_TITLE], server.dataDir)
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    const viaApi = await api.post<{ id: string }>('/api/boards', { title: PASTED_TITLE })
    const cliBoard = await api.get<{ title: string }>(`/api/boards/${created.stdout.trim()}`)
    const apiBoard = await api.get<{ title: string }>(`/api/boards/${viaApi.body.id}`)
    expect(cliBoard.body.title).toBe('Ops board\u202e\nnext')
    expect(cliBoard.body.title).toBe(apiBoard.body.title)
  }, 120_000)
})

describe('assay import --title and assay export --out', () => {
  let dataDir: string | undefined
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    dataDir = undefined
  })

  it('import takes a title as the API does; export says in one line why it cannot write its file', async () => {
    dataDir = tempDir()
    const created = await assay(['board', 'create', '--title', 'Imports'], dataDir)
    expect(created.code).toBe(0)
    const boardId = created.stdout.trim()
    const file = join(dataDir, 'report.txt')
    writeFileSync(file, 'The unit moved to the border on Monday. [citation: Field report]\n')

    const long = await assay(['import', file, '--board', boardId, '--title', 'z'.repeat(600)], dataDir)
    expect(long.code).toBe(1)
    expect(long.stderr).toContain(`assay: --title: ${TOO_LONG}\n`)
    const imported = await assay(['import', file, '--board', boardId, '--title', PASTED_TITLE], dataDir)
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    // The import makes a title one line, as it does for the API.
    expect(imported.stdout).toMatch(/^“Ops board\u202e next”: added 1 claim/)

    const folder = join(dataDir, 'exports')
    mkdirSync(folder)
    const cases = [
      [folder, 'it is a folder; give a file name'],
      [join(dataDir, 'missing', 'x.md'), 'its folder does not exist'],
      ['/dev/full', 'no space is left on the device'],
    ] as const
    for (const [out, why] of cases) {
      const run = await assay(['export', '--board', boardId, '--format', 'md', '--out', out], dataDir)
      expect(run.code, out).toBe(1)
      expect(run.stderr).toBe(`assay: Cannot write “${out}”: ${why}.\n`)
    }
  }, 180_000)
})
