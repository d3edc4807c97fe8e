/**
 * `assay backup` of a DATA_DIR on a read-only file system (a mounted volume
 * snapshot) exited 3 with EROFS: the serving lock's file could not be made
 * there, and with the file there, SQLite could not open a database in WAL
 * mode without its -shm file, which it cannot make there either (red team
 * 38b). It now reads without the lock when no lock file is there, and through
 * a copy when SQLite cannot open the database, and says so. A real read-only
 * bind mount of a real server's DATA_DIR, so the test runs as root (as CI
 * does) and is skipped elsewhere; the real command line and real servers.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { tempDir } from '../helpers/test-server.ts'

const TEST_TIMEOUT_MS = 180_000
/** A bind mount, made read-only, needs root (and a kernel that lets this process mount: not every container does). */
const CAN_MOUNT = process.getuid?.() === 0 && canMountHere()

let root: string
const mounts: string[] = []
const { assay, serve, stop, killAll } = sqliteOperator()
beforeEach(() => {
  root = tempDir()
})
afterEach(async () => {
  await killAll()
  // Never a mount left behind; lazily, should anything still hold it.
  for (const view of mounts.splice(0)) {
    if (spawnSync('umount', [view]).status !== 0) spawnSync('umount', ['-l', view])
  }
  rmSync(root, { recursive: true, force: true })
})

function canMountHere(): boolean {
  const probe = tempDir()
  try {
    const view = join(probe, 'view')
    mkdirSync(view)
    const mounted = spawnSync('mount', ['--bind', probe, view]).status === 0
    if (mounted) spawnSync('umount', [view])
    return mounted
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}

/** `folder` seen through a read-only bind mount: writes through it fail with EROFS, as on a mounted volume snapshot. */
function readOnlyView(folder: string): string {
  const view = join(root, 'read-only-view')
  mkdirSync(view)
  expect(spawnSync('mount', ['--bind', folder, view]).status).toBe(0)
  mounts.push(view)
  expect(spawnSync('mount', ['-o', 'remount,ro,bind', view]).status).toBe(0)
  return view
}

/** The assessments' titles on `boardId` of the backup `file`, restored into a scratch DATA_DIR and served. */
async function titlesInBackup(file: string, boardId: string): Promise<string[]> {
  const dataDir = join(root, `restored-${readdirSync(root).length}`)
  expect((await assay(dataDir, 'restore', '--from', file)).code).toBe(0)
  const server = await serve(dataDir)
  try {
    const read = await apiClient(server.url).get<BoardModel>(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    return read.body.assessments.map((assessment) => assessment.title)
  } finally {
    await stop(server)
  }
}

it.runIf(CAN_MOUNT)('backs up a DATA_DIR on a read-only file system: stopped with its lock file, without it, and killed with its -wal (runs as root: a bind mount)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const source = join(root, 'source')
  const first = await serve(source)
  const boardId = await apiClient(first.url).createBoard('Bridge closures')
  expect((await apiClient(first.url).post(`/api/boards/${boardId}/assessments`, { title: 'The bridge reopens by spring' })).status).toBe(201)
  // Stopped: the WAL folded in and removed, the database still in WAL mode, the lock files left (the serving lock's, and the one a server without Redis holds alone).
  await stop(first)
  expect(readdirSync(source).sort()).toEqual(['assay-server.lock', 'assay-serving.lock', 'assay.db'])
  const view = readOnlyView(source)

  const withLockFile = await assay(view, 'backup', '--out', join(root, 'with-lock-file.db'))
  expect(withLockFile).toMatchObject({ code: 0, stderr: '' })
  expect(withLockFile.stdout).toContain(`SQLite cannot open ${view}/assay.db on a read-only file system without its -shm file`)
  expect(withLockFile.stdout).not.toContain('without the serving lock')
  expect(await titlesInBackup(join(root, 'with-lock-file.db'), boardId)).toEqual(['The bridge reopens by spring'])

  rmSync(join(source, 'assay-serving.lock'))
  const withoutLockFile = await assay(view, 'backup', '--out', join(root, 'without-lock-file.db'))
  expect(withoutLockFile).toMatchObject({ code: 0, stderr: '' })
  expect(withoutLockFile.stdout).toContain(`${view} is on a read-only file system with no assay-serving.lock, which every server makes before it serves: no server serves the database there, so it is read without the serving lock.`)
  expect(await titlesInBackup(join(root, 'without-lock-file.db'), boardId)).toEqual(['The bridge reopens by spring'])

  // Killed: its last commit in the -wal beside the database, with the -shm, as a snapshot of a running volume holds them.
  const second = await serve(source)
  expect((await apiClient(second.url).post(`/api/boards/${boardId}/assessments`, { title: 'Dockers strike through March' })).status).toBe(201)
  await second.kill('SIGKILL')
  expect(readdirSync(source)).toContain('assay.db-wal')
  const killed = await assay(view, 'backup', '--out', join(root, 'killed.db'))
  expect(killed).toMatchObject({ code: 0, stderr: '' })
  expect(killed.stdout).not.toContain('SQLite cannot open')
  expect((await titlesInBackup(join(root, 'killed.db'), boardId)).sort()).toEqual(['Dockers strike through March', 'The bridge reopens by spring'])
  // No copy left beside the backups.
  expect(readdirSync(root).filter((name) => name.startsWith('.assay-backup-'))).toEqual([])
})
