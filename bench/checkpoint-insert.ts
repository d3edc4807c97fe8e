/**
 * How long one checkpoint's insert holds its thread on SQLite, by size up to
 * BOARD_MAX_BYTES (32 MiB): a blob of random bytes inserted in its own
 * transaction, with the pragmas the server opens its database with (WAL,
 * synchronous NORMAL), against writing the same bytes to a plain file.
 * Run with `npx tsx bench/checkpoint-insert.ts`.
 */
import { randomFillSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'

const MIB = 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), 'assay-checkpoint-insert-'))
const db = new Database(join(dir, 'assay.db'))
try {
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('create table checkpoints (id integer primary key, board_id text not null, state blob not null)')
  const insert = db.prepare('insert into checkpoints (board_id, state) values (?, ?)')
  for (let round = 0; round < 3; round++) {
    for (const mib of [1, 8, 32]) {
      const state = randomFillSync(Buffer.alloc(mib * MIB))
      let start = performance.now()
      db.transaction(() => insert.run('board', state))()
      const insertMs = Math.round(performance.now() - start)
      start = performance.now()
      writeFileSync(join(dir, 'plain'), state)
      const fileMs = Math.round(performance.now() - start)
      console.log(JSON.stringify({ round, mib, insertMs, fileMs }))
    }
  }
} finally {
  db.close()
  rmSync(dir, { recursive: true, force: true })
}
