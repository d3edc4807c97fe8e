/**
 * `assay restore` put in place a backup whose stored Yjs updates were damaged:
 * SQLite's integrity check and the schema comparison see pages and tables,
 * not what a blob holds, so the restore said it succeeded and the board was
 * then answered 503 board_damaged, its socket closed 4424: an operator learnt
 * the backup was bad only once it had replaced the database. The restore now
 * reads every board of its copy as a server loading it would and refuses,
 * naming the board and the change, unless told to accept it; accepted, the
 * damaged changes are set aside in the copy before it takes the database's
 * name, so the board is served without them, and a restore killed while
 * setting them aside leaves the database it would have replaced, and no file
 * in damaged-rows/ for rows it never removed from a live database. `assay
 * backup` reads its copy the same way and writes no backup a restore would
 * refuse. The real command line, and real servers in processes of their own.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { runName } from '../../server/process-run.ts'
import { apiClient } from '../helpers/api.ts'
import type { ChildServer } from '../helpers/child-server.ts'
import { folderDigest } from '../helpers/folder-digest.ts'
import { startCliPaused } from '../helpers/run-cli.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { tempDir } from '../helpers/test-server.ts'

const TEST_TIMEOUT_MS = 180_000
const DAMAGED_TITLE = 'The bridge reopens by spring'
const KEPT_TITLE = 'Dockers strike through March'

let root: string
const { assay, serve, stop, killAll } = sqliteOperator()
beforeEach(() => {
  root = tempDir()
})
afterEach(async () => {
  await killAll()
  rmSync(root, { recursive: true, force: true })
})

/** Cuts the board's latest stored update, one a server loads (past its latest checkpoint), to half its length, as damage on disk would leave it: Yjs cannot read it. */
function damageLatestUpdate(file: string, boardId: string): number {
  const client = new Database(file)
  try {
    const { seq } = client
      .prepare('select max(seq) as seq from board_updates where board_id = ? and seq > (select coalesce(max(through_seq), 0) from board_checkpoints where board_id = ?)')
      .get(boardId, boardId) as { seq: number | null }
    if (seq === null) throw new Error('no update past the checkpoint to damage')
    client.prepare('update board_updates set "update" = substr("update", 1, length("update") / 2) where board_id = ? and seq = ?').run(boardId, seq)
    return seq
  } finally {
    client.close()
  }
}

/** The database in `root`/source: a board whose latest update is to be damaged, and another, each with an assessment, its server killed. */
async function twoBoards(): Promise<{ source: string; damagedBoard: string; keptBoard: string }> {
  const source = join(root, 'source')
  const server = await serve(source)
  const api = apiClient(server.url)
  const damagedBoard = await api.createBoard('Bridge closures')
  expect((await api.post(`/api/boards/${damagedBoard}/assessments`, { title: DAMAGED_TITLE })).status).toBe(201)
  const keptBoard = await api.createBoard('Port strikes')
  expect((await api.post(`/api/boards/${keptBoard}/assessments`, { title: KEPT_TITLE })).status).toBe(201)
  // Killed, so the updates stay in the log rather than folded into a checkpoint as the server stops.
  await server.kill('SIGKILL')
  return { source, damagedBoard, keptBoard }
}

/** A whole backup restored into `root`/data, and a copy of it whose one board's latest update is damaged. */
async function restoredAndDamagedBackup() {
  const { source, damagedBoard, keptBoard } = await twoBoards()
  const backup = join(root, 'backup.db')
  expect((await assay(source, 'backup', '--out', backup)).code).toBe(0)
  const whole = join(root, 'whole.db')
  copyFileSync(backup, whole)
  const seq = damageLatestUpdate(backup, damagedBoard)
  const dataDir = join(root, 'data')
  expect((await assay(dataDir, 'restore', '--from', whole)).code).toBe(0)
  return { dataDir, backup, damagedBoard, keptBoard, seq }
}

async function assessmentTitles(server: ChildServer, boardId: string): Promise<string[]> {
  const read = await apiClient(server.url).get<BoardModel>(`/api/boards/${boardId}`)
  expect(read.status).toBe(200)
  return read.body.assessments.map((assessment) => assessment.title)
}

it('refuses a backup of a database with a damaged stored update, naming the board and the change, and writes none', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { source, damagedBoard, keptBoard } = await twoBoards()
  const seq = damageLatestUpdate(join(source, 'assay.db'), damagedBoard)
  const backup = join(root, 'backup.db')

  const refused = await assay(source, 'backup', '--out', backup)
  expect(refused).toMatchObject({ code: 1, stdout: '' })
  expect(refused.stderr).toContain(`board ${damagedBoard}: change ${seq} (`)
  expect(refused.stderr).not.toContain(keptBoard)
  expect(refused.stderr).toContain('Nothing was backed up.')
  // Neither under its name nor under the temporary one.
  expect(readdirSync(root)).toEqual(['source'])

  const accepted = await assay(source, 'backup', '--out', backup, '--accept-damaged')
  expect(accepted).toMatchObject({ code: 0, stderr: '' })
  expect(accepted.stdout).toContain(`board ${damagedBoard}: change ${seq} (`)
  expect(existsSync(backup)).toBe(true)
})

it('refuses a backup with a damaged stored update, and restores it with --accept-damaged, the damaged change set aside and every board served', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { dataDir, backup, damagedBoard, keptBoard, seq } = await restoredAndDamagedBackup()
  const before = folderDigest(dataDir)
  const refused = await assay(dataDir, 'restore', '--from', backup)
  expect(refused).toMatchObject({ code: 1, stdout: '' })
  expect(refused.stderr).toContain(`board ${damagedBoard}: change ${seq} (`)
  expect(refused.stderr).toContain('Nothing was restored. Restore another backup, or pass --accept-damaged')
  expect(folderDigest(dataDir)).toEqual(before)

  const accepted = await assay(dataDir, 'restore', '--from', backup, '--accept-damaged')
  expect(accepted).toMatchObject({ code: 0, stderr: '' })
  expect(accepted.stdout).toContain(`board ${damagedBoard}: change ${seq} (`)
  expect(accepted.stdout).toContain(`Board ${damagedBoard}: set aside 1 row(s) that cannot be applied`)
  const kept = JSON.parse(readFileSync(join(dataDir, 'damaged-rows', `${damagedBoard}-${seq}.json`), 'utf8')) as { boardId: string; seq: number }
  expect(kept).toMatchObject({ boardId: damagedBoard, seq })
  const restored = await serve(dataDir)
  expect(await assessmentTitles(restored, damagedBoard)).not.toContain(DAMAGED_TITLE)
  expect(await assessmentTitles(restored, keptBoard)).toEqual([KEPT_TITLE])
})

it('leaves the database it would replace, and nothing in damaged-rows/, when killed while setting damaged changes aside, and restores on the next run', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { dataDir, backup, damagedBoard, keptBoard, seq } = await restoredAndDamagedBackup()
  const database = join(dataDir, 'assay.db')
  const replaced = readFileSync(database)
  // Stopped before it runs, so its pid, which names the folder it sets rows aside into until its copy is in place, is
  // known first. The file the damaged change is written to there, made a FIFO: the restore's write waits for a reader,
  // so the test knows, with no wait of its own, that the restore is setting the change aside, and kills it there.
  const restore = await startCliPaused(['restore', '--from', backup, '--accept-damaged'], { LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '' })
  // Its run's name (its pid and its process's start), read while it runs.
  const run = runName(restore.child.pid)
  const staged = join(dataDir, `damaged-rows.restoring-${run}`)
  const setAsideFile = join(staged, `${damagedBoard}-${seq}.json`)
  mkdirSync(staged)
  expect(spawnSync('mkfifo', [setAsideFile]).status).toBe(0)
  restore.resume()
  const reading = open(setAsideFile, 'r')
  const first = await Promise.race([reading.then(() => 'setting aside' as const), restore.done.then(() => 'exited' as const)])
  // Had the restore ended without writing the file, the reader still waits: a writer of the test's own lets it go.
  if (first === 'exited') closeSync(openSync(setAsideFile, constants.O_WRONLY | constants.O_NONBLOCK))
  restore.child.kill('SIGKILL')
  await restore.done
  await (await reading).close()
  expect(first).toBe('setting aside')

  // The live database was never changed, so no row of it is in damaged-rows/.
  expect(existsSync(join(dataDir, 'damaged-rows'))).toBe(false)
  expect(readFileSync(database).equals(replaced)).toBe(true)
  const untouched = await serve(dataDir)
  expect(await assessmentTitles(untouched, damagedBoard)).toEqual([DAMAGED_TITLE])
  await stop(untouched)

  const again = await assay(dataDir, 'restore', '--from', backup, '--accept-damaged')
  expect(again).toMatchObject({ code: 0, stderr: '' })
  expect(again.stdout).toContain(`Removed ${staged}, the rows a restore that did not finish set aside from its copy, which never took the database's place.`)
  expect(again.stdout).toContain(`Removed ${database}.restoring-${run}, left by a restore that did not finish.`)
  expect(existsSync(staged)).toBe(false)
  expect(JSON.parse(readFileSync(join(dataDir, 'damaged-rows', `${damagedBoard}-${seq}.json`), 'utf8'))).toMatchObject({ boardId: damagedBoard, seq })
  const restored = await serve(dataDir)
  expect(await assessmentTitles(restored, damagedBoard)).not.toContain(DAMAGED_TITLE)
  expect(await assessmentTitles(restored, keptBoard)).toEqual([KEPT_TITLE])
  await stop(restored)

  // A restore killed after its copy took the database's place, before it moved its rows: no copy is left, so the rows
  // were removed from the live database, and the next run moves their files into damaged-rows/.
  const gonePid = spawnSync('true').pid
  const left = join(dataDir, `damaged-rows.restoring-${gonePid}`)
  mkdirSync(left)
  writeFileSync(join(left, 'board-7.json'), '{}\n')
  const third = await assay(dataDir, 'restore', '--from', backup, '--accept-damaged')
  expect(third).toMatchObject({ code: 0, stderr: '' })
  expect(third.stdout).toContain(`Moved 1 row file(s) from ${left} into ${join(dataDir, 'damaged-rows')}`)
  expect(readFileSync(join(dataDir, 'damaged-rows', 'board-7.json'), 'utf8')).toBe('{}\n')
  expect(existsSync(left)).toBe(false)
})
