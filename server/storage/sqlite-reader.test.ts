/**
 * The read-only connection a worker thread keeps to the SQLite file reads the
 * file at the path now: one put in its place (as `assay restore` does, with no
 * server serving it) is opened afresh, not read through the connection to the
 * file it replaced, which still holds the old database.
 */
import { renameSync, rmSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { openFreshStorage, type FreshStorage } from '../../test/helpers/test-server.ts'
import { readOnlyHistory } from './sqlite-reader.ts'

const BOARD = 'board-replaced'
const opened: FreshStorage[] = []

afterEach(async () => {
  await Promise.all(opened.splice(0).map((fresh) => fresh.destroy()))
})

/** A SQLite database whose board holds `rows` one-byte rows, its file, and its storage's close. */
async function databaseWithRows(rows: number): Promise<{ file: string; close(): Promise<void> }> {
  const fresh = await openFreshStorage('sqlite')
  opened.push(fresh)
  const { storage } = fresh
  await storage.boards.create({ id: BOARD, title: 'Replaced', createdAt: new Date().toISOString(), createdBy: null })
  await storage.log.append(
    BOARD,
    Array.from({ length: rows }, () => ({ update: new Uint8Array([0]), origin: 'test' })),
  )
  if (storage.pastSource.dialect !== 'sqlite') throw new Error('a SQLite storage names its file')
  return { file: storage.pastSource.file, close: () => storage.close() }
}

it('reads the database put in place of the one it opened', async () => {
  const current = await databaseWithRows(3)
  const replacement = await databaseWithRows(7)
  expect((await readOnlyHistory(current.file).tailState(BOARD)).rows).toBe(3)

  // As a restore: no server serves either, the current database's write-ahead log set aside with it.
  await Promise.all([current.close(), replacement.close()])
  for (const suffix of ['-wal', '-shm']) rmSync(current.file + suffix, { force: true })
  renameSync(replacement.file, current.file)

  expect((await readOnlyHistory(current.file).tailState(BOARD)).rows).toBe(7)
})
