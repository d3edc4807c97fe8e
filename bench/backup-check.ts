/**
 * What `assay backup` spends checking its copy: N boards of 1,000 assessments
 * each (`largeBoard()`, bench/export.ts) written through a server in this
 * process, which then stops; the database copied with `VACUUM INTO` as the
 * backup copies it, then checked as the backup checks it: its schema and
 * `PRAGMA integrity_check` (checkAssayDatabase), and every board's latest
 * checkpoint and rows applied (damagedBoards). Prints each part's time.
 * Run with `npx tsx bench/backup-check.ts [N]` (default 5).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { replaceBoardContent } from '../shared/board-convert.ts'
import { serverOrigin } from '../shared/change-origin.ts'
import { createBoard } from '../server/boards/create-board.ts'
import { loadConfig } from '../server/config.ts'
import { createLogger } from '../server/log.ts'
import { startServer } from '../server/server.ts'
import { openAccess } from '../test/helpers/open-access.ts'
import { checkAssayDatabase } from '../server/cli/assay-database-file.ts'
import { damagedBoards } from '../server/cli/restore-damaged-boards.ts'
import { BENCH_LIMITS } from './bench-limits.ts'
import { largeBoard } from './export.ts'
import { OPERATOR } from './relay.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'assay-ops37-'))
const server = await startServer(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...BENCH_LIMITS }), { access: () => openAccess(), logger: createLogger('silent') })
const BOARDS = Number(process.argv[2] ?? '5')
for (let i = 0; i < BOARDS; i++) {
  const boardId = await createBoard(server.services, { title: `large ${i}` }, OPERATOR)
  await server.services.rooms.withRoom(boardId, (room) => room.change((doc) => replaceBoardContent(doc, { ...largeBoard(), id: boardId, title: 'large' }, serverOrigin('bench'))))
}
await server.close()
const copy = join(dataDir, 'copy.db')
let t = performance.now()
const source = new Database(join(dataDir, 'assay.db'), { readonly: true })
source.prepare('vacuum into ?').run(copy)
source.close()
const vacuum = performance.now() - t
t = performance.now()
checkAssayDatabase(copy, copy)
const check = performance.now() - t
t = performance.now()
const damaged = await damagedBoards(copy)
const boards = performance.now() - t
console.log(JSON.stringify({ boards: BOARDS, bytes: statSync(copy).size, vacuumMs: Math.round(vacuum), schemaAndIntegrityMs: Math.round(check), damagedBoardsMs: Math.round(boards), damaged: damaged.length }))
rmSync(dataDir, { recursive: true, force: true })
