/**
 * A restore killed after its copy took the database's place leaves the rows
 * it set aside in `damaged-rows.restoring-<pid>/`, the only copy of edits
 * the live database no longer holds; the next restore moves them into
 * damaged-rows/. Pids are reused (a restore is often pid 1 in a container):
 * one given the killed restore's pid took the folder for its own, and when
 * it was refused, deleted it, saying only "Nothing was restored" (red team
 * 39b); a run is now its pid and its process's start (process-run.ts). The
 * real command line, its pid known before it runs.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { startCliPaused } from '../helpers/run-cli.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { tempDir } from '../helpers/test-server.ts'

const TEST_TIMEOUT_MS = 120_000
const SET_ASIDE_ROW = JSON.stringify({ boardId: 'b', seq: 7, update: 'the only copy of a row the live database lost' })

let root: string
const { assay } = sqliteOperator()
beforeEach(() => {
  root = tempDir()
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

/** A database in WAL mode, as a live one is: a restore refuses it once it has looked at its copy. */
function walModeDatabase(file: string): void {
  const database = new Database(file)
  database.pragma('journal_mode = WAL')
  database.exec('create table kept (note text)')
  database.close()
}

// A killed restore's run: its pid alone (as an older release named it), or its pid and a start long before this one's.
it.each([['its pid alone', ''], ['its pid and another start', '.1']])(
  'moves a killed restore’s set-aside rows into damaged-rows/ when a refused restore has the same pid (named by %s)',
  { timeout: TEST_TIMEOUT_MS },
  async (_named, started) => {
    const dataDir = join(root, 'data')
    expect((await assay(dataDir, 'board', 'create', '--title', 'Precious')).code).toBe(0)
    const walMode = join(root, 'wal-mode.db')
    walModeDatabase(walMode)

    const restore = await startCliPaused(['restore', '--from', walMode], { LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '' })
    // Left by an earlier restore with this pid, its copy renamed into place (none is left beside the database), then killed.
    const staged = join(dataDir, `damaged-rows.restoring-${restore.child.pid}${started}`)
    mkdirSync(staged)
    writeFileSync(join(staged, 'b-7.json'), SET_ASIDE_ROW)
    restore.resume()
    const refused = await restore.done

    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('Nothing was restored')
    expect(refused.stdout).toContain(`Moved 1 row file(s) from ${staged} into ${join(dataDir, 'damaged-rows')}`)
    expect(readFileSync(join(dataDir, 'damaged-rows', 'b-7.json'), 'utf8')).toBe(SET_ASIDE_ROW)
    expect(existsSync(staged)).toBe(false)
  },
)
