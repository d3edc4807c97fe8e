/**
 * `assay restore` put in place a backup whose stored Yjs updates were damaged:
 * SQLite's integrity check and the schema comparison see pages and tables,
 * not what a blob holds, so the restore said it succeeded and the board was
 * then answered 503 board_damaged, its socket closed 4424: an operator learnt
 * the backup was bad only once it had replaced the database. The restore now
 * reads every board of its copy as a server loading it would and refuses,
 * naming the board and the change, unless told to accept it. The real command
 * line, and a real server in a process of its own.
 */
import { copyFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { apiClient } from '../helpers/api.ts'
import { folderDigest } from '../helpers/folder-digest.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { tempDir } from '../helpers/test-server.ts'

const TEST_TIMEOUT_MS = 180_000

let root: string
const { assay, serve, killAll } = sqliteOperator()
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

it('refuses a backup with a damaged stored update, naming the board and the change, and restores it with --accept-damaged', { timeout: TEST_TIMEOUT_MS }, async () => {
  const source = join(root, 'source')
  const server = await serve(source)
  const api = apiClient(server.url)
  const boardId = await api.createBoard('Bridge closures')
  expect((await api.post(`/api/boards/${boardId}/assessments`, { title: 'The bridge reopens by spring' })).status).toBe(201)
  // Killed, so the update stays in the log rather than folded into a checkpoint as the server stops.
  await server.kill('SIGKILL')
  const backup = join(root, 'backup.db')
  expect((await assay(source, 'backup', '--out', backup)).code).toBe(0)
  const whole = join(root, 'whole.db')
  copyFileSync(backup, whole)
  const seq = damageLatestUpdate(backup, boardId)

  const dataDir = join(root, 'data')
  expect((await assay(dataDir, 'restore', '--from', whole)).code).toBe(0)
  const before = folderDigest(dataDir)
  const refused = await assay(dataDir, 'restore', '--from', backup)
  expect(refused).toMatchObject({ code: 1, stdout: '' })
  expect(refused.stderr).toContain(`board ${boardId}: change ${seq} (`)
  expect(refused.stderr).toContain('Nothing was restored. Restore another backup, or pass --accept-damaged')
  expect(folderDigest(dataDir)).toEqual(before)

  const accepted = await assay(dataDir, 'restore', '--from', backup, '--accept-damaged')
  expect(accepted).toMatchObject({ code: 0, stderr: '' })
  expect(accepted.stdout).toContain(`board ${boardId}: change ${seq} (`)
  const restored = await serve(dataDir)
  expect((await apiClient(restored.url).get(`/api/boards/${boardId}`)).status).toBe(503)
})
