/**
 * The real command line, `assay serve` included, against a database it
 * cannot write: one line naming the database and the cause, status 3, no
 * stack trace (red team 23b: "unexpected error: SqliteError: disk I/O error"
 * and its stack, or a full disk hidden behind drizzle's failed ROLLBACK).
 * DATA_DIR under a regular file runs anywhere; a full disk is a real small
 * tmpfs (needs root, as CI has).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { STORAGE_FAILURE_EXIT } from '../../server/cli/storage-failure.ts'
import { mountSmallDisk, type SmallDisk } from '../helpers/full-disk.ts'
import { runCli } from '../helpers/run-cli.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { tempDir } from '../helpers/test-server.ts'

const tmpfsMissing = await missingServices('tmpfs')

/** Commands that start, migrate and import: a few processes each, on a loaded machine too. */
const CLI_TEST_MS = 120_000

const assay = (args: string[], dataDir: string) => runCli(args, { LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' })

/** One line naming the database in `dataDir`, and the cause. */
const unwritableLine = (dataDir: string, cause: string) =>
  new RegExp(`^assay: the database at ${join(dataDir, 'assay.db').replaceAll('.', '\\.')} cannot be written: ${cause} \\([A-Z_]+[^)]*\\)\\.\\n$`)

describe('DATA_DIR where no folder can be made', () => {
  let folder: string | undefined
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
    folder = undefined
  })

  it('every command, serve too, says so in one line and exits 3', async () => {
    folder = tempDir()
    const file = join(folder, 'a-file')
    writeFileSync(file, 'not a folder')
    for (const [dataDir, cause] of [
      [join(file, 'data'), 'part of its path is a file, not a folder'],
      [file, 'a file is in the place of its folder'],
    ] as const) {
      for (const args of [['serve'], ['migrate'], ['board', 'create', '--title', 'Nowhere']]) {
        const run = await assay(args, dataDir)
        expect(run.stderr).toMatch(unwritableLine(dataDir, cause))
        expect(run.code).toBe(STORAGE_FAILURE_EXIT)
        expect(run.stdout).toBe('')
      }
    }
  }, CLI_TEST_MS)
})

describeUnless(tmpfsMissing)('a full disk under DATA_DIR (4 MiB tmpfs)', () => {
  let disk: SmallDisk | undefined
  let documentFolder: string | undefined
  afterEach(() => {
    disk?.unmount()
    disk = undefined
    if (documentFolder) rmSync(documentFolder, { recursive: true, force: true })
    documentFolder = undefined
  })

  it('serve, import and a fresh start with a few pages free say so in one line and exit 3', async () => {
    disk = mountSmallDisk(4)
    const existing = join(disk.path, 'existing')
    const created = await assay(['board', 'create', '--title', 'Made with room'], existing)
    expect(created.code).toBe(0)
    const boardId = created.stdout.trim()
    documentFolder = tempDir()
    const document = join(documentFolder, 'report.txt')
    writeFileSync(document, 'The convoy crossed the border at dawn. Two sources saw it.')

    disk.fill(0)
    const served = await assay(['serve'], existing)
    expect(served.stderr).toMatch(unwritableLine(existing, '(no space left on the device|the disk reported an I/O error \\(SQLite reports a full disk so too\\))'))
    expect(served.code).toBe(STORAGE_FAILURE_EXIT)
    const imported = await assay(['import', document, '--board', boardId], existing)
    expect(imported.stderr).toMatch(unwritableLine(existing, '(no space left on the device|the disk reported an I/O error \\(SQLite reports a full disk so too\\))'))
    expect(imported.code).toBe(STORAGE_FAILURE_EXIT)

    // Room for SQLite to begin its migrations, not to commit them: the error that stopped them is the one told.
    disk.empty()
    const fresh = join(disk.path, 'fresh')
    mkdirSync(fresh)
    disk.fill(64 * 1024)
    const started = await assay(['serve'], fresh)
    expect(started.stderr).toMatch(unwritableLine(fresh, 'no space left on the device'))
    expect(started.code).toBe(STORAGE_FAILURE_EXIT)
  }, CLI_TEST_MS)
})
