/**
 * `assay backup` and `assay restore` on the embedded SQLite database, with the
 * real command line and a real server in a process of its own: a backup taken
 * while a client keeps typing holds every edit the server had acknowledged
 * before it began, and a server started on it serves them; the refusals leave
 * everything as it was; a restore keeps the database it replaces. On
 * PostgreSQL both commands point to pg_dump and pg_restore and do nothing.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createLogger } from '../../server/log.ts'
import { holdServingLock, takeDatabaseAlone } from '../../server/storage/serving-lock.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { apiClient } from '../helpers/api.ts'
import type { ChildServer } from '../helpers/child-server.ts'
import { copiedFixture } from '../helpers/copied-fixture.ts'
import { folderDigest } from '../helpers/folder-digest.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { runCli, type CliRun } from '../helpers/run-cli.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, openTestStorage, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')
/** Each command line and server is a process of its own: room for a loaded machine. */
const TEST_TIMEOUT_MS = 180_000
const ONE_LINE = /^assay: [^\n]+\n$/

describe('`assay backup` and `assay restore` on SQLite', () => {
  let root: string
  let dataDir: string
  const clients: TestClient[] = []

  beforeEach(() => {
    root = tempDir()
    dataDir = join(root, 'data')
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await killAll()
    rmSync(root, { recursive: true, force: true })
  })

  const { assay, serve, stop, killAll } = sqliteOperator()
  const connect = async (server: ChildServer, boardId: string) => {
    const client = connectClient(server.wsUrl, boardId)
    clients.push(client)
    await client.synced()
    return client
  }
  const titles = (client: TestClient, boardId: string) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title)
  /**
   * A board served, its server stopped, and a backup of it: the data dir as a restore finds it. Made once for the file
   * (a server and a backup, each a process of its own) and copied into each test's folder.
   */
  const unserved = copiedFixture(async (folder) => {
    const server = await serve(join(folder, 'data'))
    const boardId = await apiClient(server.url).createBoard('Wagner redeployment')
    expect((await assay(join(folder, 'data'), 'backup', '--out', join(folder, 'backup.db'))).code).toBe(0)
    await stop(server)
    return boardId
  })
  const unservedWithBackup = async () => ({ boardId: await unserved(root), backup: join(root, 'backup.db') })
  /** Runs `sql` on the SQLite file `file` in a process of its own, killed (SIGKILL) with the database open, and any transaction. */
  const killedWriter = (file: string, sql: string) => {
    const writer = `const client = new (require('better-sqlite3'))(${JSON.stringify(file)}); client.exec(${JSON.stringify(sql)}); process.kill(process.pid, 'SIGKILL')`
    expect(spawnSync(process.execPath, ['-e', writer]).signal).toBe('SIGKILL')
  }
  /**
   * A copy of `backup` that a writer, killed in the middle of a transaction
   * once part of it was in the file, left with its hot rollback journal
   * beside it; SQLite rolls the transaction back at the next open.
   */
  const withHotJournal = (backup: string) => {
    const file = join(root, 'half-done.db')
    copyFileSync(backup, file)
    const client = new Database(file)
    client.exec('create table notes (body text)')
    client.prepare(`insert into notes select 'old' from (with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000) select i from n)`).run()
    client.close()
    // Few pages in memory: the update writes some to the file before it commits.
    killedWriter(file, "pragma cache_size = 1; begin; update notes set body = 'new'")
    expect(existsSync(`${file}-journal`)).toBe(true)
    return file
  }
  /** The boards a server on `dir` serves, by title, and the board `boardId` as it answers it. */
  const served = async (dir: string, boardId: string) => {
    const server = await serve(dir)
    const api = apiClient(server.url)
    const boards = (await api.get<{ title: string }[]>('/api/boards')).body.map((board) => board.title)
    const board = await api.get<{ title: string }>(`/api/boards/${boardId}`)
    await stop(server)
    return { boards, board: { status: board.status, title: board.body.title } }
  }

  it('takes a backup while a client types, holding every acknowledged edit, which a server restored from it serves', { timeout: TEST_TIMEOUT_MS }, async () => {
    const server = await serve(dataDir)
    const boardId = await apiClient(server.url).createBoard('Wagner redeployment')
    const typist = await connect(server, boardId)
    // The server sends an edit on only once it is committed: what this client holds is what was acknowledged.
    const observer = await connect(server, boardId)
    const acknowledgedAt = new Map<string, number>()
    observer.doc.on('afterTransaction', () => {
      const now = Date.now()
      for (const title of titles(observer, boardId)) if (!acknowledgedAt.has(title)) acknowledgedAt.set(title, now)
    })
    let typed = 0
    let typing = true
    const keepTyping = (async () => {
      while (typing) {
        addAssessment(typist.doc, { title: `Edit ${typed++}` })
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    await waitFor(() => titles(observer, boardId).length >= 50, 'the first edits to be acknowledged', 30_000)

    const backup = join(root, 'backup.db')
    const seenBefore = titles(observer, boardId).length
    const backedUp = await assay(dataDir, 'backup', '--out', backup)
    const seenDuring = titles(observer, boardId).length
    expect(backedUp).toMatchObject({
      code: 0,
      stderr: '',
      stdout: expect.stringMatching(new RegExp(`^Backed up the SQLite database in ${dataDir} to ${backup}: [\\d,]+ bytes, 1 board, consistent as of \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\.\\n$`)),
    })
    // The server went on acknowledging while the backup ran.
    expect(seenDuring).toBeGreaterThan(seenBefore)
    // Every edit acknowledged before the moment the backup says it is consistent as of (the last second's still only in the WAL).
    const asOf = Date.parse(/consistent as of (\S+)\.\n$/.exec(backedUp.stdout)![1]!)
    const acknowledged = [...acknowledgedAt].filter(([, at]) => at < asOf).map(([title]) => title)
    expect(acknowledged.length).toBeGreaterThan(seenBefore)
    // Typing goes on past the backup, so the database it replaces later holds more than the backup.
    await waitFor(() => titles(observer, boardId).length > seenDuring + 20, 'edits after the backup')
    typing = false
    await keepTyping
    await waitFor(() => titles(observer, boardId).length === typed, 'every edit to be acknowledged')
    await stop(server)
    expect(readdirSync(root).sort()).toEqual(['backup.db', 'data'])

    // A server on a data dir restored from the backup serves every edit acknowledged before it began.
    const elsewhere = join(root, 'elsewhere')
    expect(await assay(elsewhere, 'restore', '--from', backup)).toMatchObject({
      code: 0,
      stdout: `There was no database in ${elsewhere}; restored ${backup} (1 board) as ${join(elsewhere, 'assay.db')}.\n`,
    })
    const restoredServer = await serve(elsewhere)
    const restored = titles(await connect(restoredServer, boardId), boardId)
    expect(restored).toEqual(expect.arrayContaining(acknowledged))
    expect(restored.length).toBeLessThan(typed)
    await stop(restoredServer)

    // Restored over the database it was taken from: that one is kept aside, whole, with every edit.
    const over = await assay(dataDir, 'restore', '--from', backup)
    expect(over).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Moved the database aside to .*; restored .* \(1 board\) as .*assay\.db\.\n$/) })
    const aside = readdirSync(dataDir).filter((name) => name.startsWith('assay.db.before-restore-'))
    expect(aside).toEqual([expect.stringMatching(/^assay\.db\.before-restore-\d{8}T\d{6}\.\d{3}Z$/)])
    expect(over.stdout).toContain(join(dataDir, aside[0]!))
    expect(readdirSync(dataDir).sort()).toEqual(['assay-server.lock', 'assay-serving.lock', 'assay.db', aside[0]])
    const kept = new Database(join(dataDir, aside[0]!), { readonly: true, fileMustExist: true })
    try {
      expect(kept.prepare('select id, title from boards').all()).toEqual([{ id: boardId, title: 'Wagner redeployment' }])
    } finally {
      kept.close()
    }
    const keptDir = join(root, 'kept')
    mkdirSync(keptDir)
    copyFileSync(join(dataDir, aside[0]!), join(keptDir, 'assay.db'))
    const storage = await openTestStorage('sqlite', keptDir, '')
    try {
      expect((await storedBoard({ services: { storage } }, boardId)).assessments).toHaveLength(typed)
    } finally {
      await storage.close()
    }
    const again = await serve(dataDir)
    expect(titles(await connect(again, boardId), boardId)).toEqual(restored)
  })

  it('never overwrites a file, and refuses a folder and a missing folder', { timeout: TEST_TIMEOUT_MS }, async () => {
    const server = await serve(dataDir)
    await apiClient(server.url).createBoard('Wagner redeployment')
    const existing = join(root, 'backup.db')
    writeFileSync(existing, 'the only good backup')
    const before = folderDigest(root)

    for (const [out, why] of [
      [existing, 'it exists already; nothing was overwritten'],
      [root, 'it is a folder'],
      [join(root, 'missing', 'backup.db'), 'its folder does not exist'],
    ] as const) {
      const run = await assay(dataDir, 'backup', '--out', out)
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
      expect(run.stderr).toContain(`Cannot write “${out}”: ${why}`)
    }
    expect(folderDigest(root)).toEqual(before)
  })

  it('refuses to restore while a server serves the database, changing nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await unservedWithBackup()
    const server = await serve(dataDir)
    const api = apiClient(server.url)
    const later = await api.createBoard('Made after the backup')
    const before = readdirSync(dataDir).sort()

    const run = await assay(dataDir, 'restore', '--from', backup)
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `assay: a server is serving the SQLite database in ${dataDir} (or an \`assay backup\` is reading it): nothing was restored. Stop every server first.\n`,
    })
    expect(readdirSync(dataDir).sort()).toEqual(before)
    const boards = (await api.get<{ id: string }[]>('/api/boards')).body.map((board) => board.id)
    expect(boards.sort()).toEqual([boardId, later].sort())
    await stop(server)
    expect(readdirSync(dataDir).filter((name) => name.includes('before-restore'))).toEqual([])
  })

  it('refuses a file that is not a whole Assay database of this version or older, is live (through a symbolic link too), or holds part of a transaction, changing nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { backup } = await unservedWithBackup()
    const junk = join(root, 'junk.db')
    writeFileSync(junk, 'not a database at all, though named like one')
    const damaged = join(root, 'damaged.db')
    const whole = readFileSync(backup)
    // Past the header, so SQLite opens it and finds pages missing.
    writeFileSync(damaged, whole.subarray(0, Math.floor(whole.length / 2)))
    const other = join(root, 'other.db')
    new Database(other).exec('create table notes (body text)').close()
    const later = join(root, 'later.db')
    copyFileSync(backup, later)
    const laterClient = new Database(later)
    laterClient.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('a later version', Date.now() + 86_400_000)
    laterClient.close()
    const live = join(root, 'live.db')
    copyFileSync(backup, live)
    writeFileSync(`${live}-wal`, '')
    // The same, reached through a symbolic link: SQLite keeps the WAL beside the file the link leads to.
    const liveLink = join(root, 'latest.db')
    symlinkSync(live, liveLink)
    // A stopped server's database, copied alone: in WAL mode, which a file `assay backup` wrote never is.
    const walMode = join(root, 'wal-mode.db')
    copyFileSync(join(dataDir, 'assay.db'), walMode)
    const halfDone = withHotJournal(backup)
    const before = folderDigest(dataDir)
    const refusals: { from: string; why: RegExp; run: CliRun }[] = []

    for (const [from, why] of [
      [junk, /“.*junk\.db” is not a sound SQLite database: file is not a database\. Nothing was restored\./],
      [damaged, /“.*damaged\.db” is (not a sound|a damaged) SQLite database: .*Nothing was restored\./],
      [other, /“.*other\.db” is a SQLite database but not an Assay database .*Nothing was restored\./],
      [later, /“.*later\.db” comes from a later version of Assay \(1 migration this version does not know\).*Nothing was restored\./],
      [live, /“.*live\.db” has a write-ahead log beside it \(.*live\.db-wal\), so it is a live database, not a backup: nothing was restored\./],
      [liveLink, /“.*latest\.db” has a write-ahead log beside it \(.*live\.db-wal\), so it is a live database, not a backup: nothing was restored\./],
      [walMode, /“.*wal-mode\.db” is a database in WAL mode, as a live one is, not a file `assay backup` wrote: .*Nothing was restored\./],
      [halfDone, /“.*half-done\.db” has a rollback journal beside it \(.*half-done\.db-journal\): a transaction on it was cut short.*Nothing was restored\./],
    ] as const) {
      refusals.push({ from, why, run: await assay(dataDir, 'restore', '--from', from) })
    }
    // Each refused first, then each for its reason.
    expect(refusals.map(({ from, run }) => [from, run.code])).toEqual(refusals.map(({ from }) => [from, 1]))
    for (const { why, run } of refusals) {
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
      expect(run.stderr).toMatch(why)
    }
    expect(folderDigest(dataDir)).toEqual(before)
  })

  it('sets aside the -wal and -shm a killed server left when its database was moved away by hand, and a server serves the restored one whole', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await unservedWithBackup()
    const server = await serve(dataDir)
    const api = apiClient(server.url)
    await api.createBoard('Made after the backup')
    for (let i = 0; i < 20; i++) await api.post(`/api/boards/${boardId}/assessments`, { title: `Assessed after the backup ${i}` })
    await server.kill('SIGKILL')
    await server.exited
    expect(statSync(join(dataDir, 'assay.db-wal')).size).toBeGreaterThan(0)
    renameSync(join(dataDir, 'assay.db'), join(root, 'broken.db'))

    const run = await assay(dataDir, 'restore', '--from', backup)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(await served(dataDir, boardId)).toEqual({ boards: ['Wagner redeployment'], board: { status: 200, title: 'Wagner redeployment' } })
    expect(run.stdout).toMatch(
      /^There was no database in .*, but assay\.db-wal and assay\.db-shm of an earlier one, which the restored database would have taken for its own: moved them aside to .*assay\.db\.before-restore-\S+-wal and .*-shm; restored /,
    )
    const aside = readdirSync(dataDir).filter((name) => name.startsWith('assay.db.before-restore-'))
    expect(aside.sort()).toEqual([expect.stringMatching(/^assay\.db\.before-restore-\d{8}T\d{6}\.\d{3}Z-shm$/), expect.stringMatching(/-wal$/)])
  })

  it('moves a database SQLite cannot open aside as it was, with its -wal and -shm, and restores', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await unservedWithBackup()
    const database = join(dataDir, 'assay.db')
    // A change only its -wal holds (not on the first page, which the -wal would otherwise bring back), then
    // its first page overwritten: no longer a SQLite file.
    killedWriter(database, "update boards set title = 'Renamed after the backup'")
    const garbled = readFileSync(database)
    garbled.fill(0x5a, 0, 4096)
    writeFileSync(database, garbled)
    expect(statSync(`${database}-wal`).size).toBeGreaterThan(0)
    const old = { '': folderDigest(dataDir)['assay.db'], '-wal': folderDigest(dataDir)['assay.db-wal'] }

    const run = await assay(dataDir, 'restore', '--from', backup)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toMatch(/^SQLite cannot open the database \(file is not a database\), so it was moved aside as it was, to \S+, with its -wal and -shm \(\S+-wal, \S+-shm\); restored /)
    const aside = readdirSync(dataDir).find((name) => /^assay\.db\.before-restore-\S+Z$/.test(name))!
    const after = folderDigest(dataDir)
    // The -shm is an index of the -wal, which SQLite rewrites as it reads.
    expect({ '': after[aside], '-wal': after[`${aside}-wal`] }).toEqual(old)
    expect(Object.keys(after).sort()).toEqual(['assay-server.lock', 'assay-serving.lock', 'assay.db', aside, `${aside}-shm`, `${aside}-wal`])
    expect(await served(dataDir, boardId)).toEqual({ boards: ['Wagner redeployment'], board: { status: 200, title: 'Wagner redeployment' } })

    // A database cut short, past its header, is moved aside the same way.
    writeFileSync(database, readFileSync(backup).subarray(0, 3 * 4096))
    const again = await assay(dataDir, 'restore', '--from', backup)
    expect(again).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^SQLite cannot open the database \(database disk image is malformed\), so it was moved aside as it was, to /) })
  })

  it('removes the copies of restores that were killed before they finished', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { backup } = await unservedWithBackup()
    const gone = spawnSync(process.execPath, ['-e', '']).pid!
    const unfinished = join(dataDir, `assay.db.restoring-${gone}`)
    copyFileSync(backup, unfinished)

    const run = await assay(dataDir, 'restore', '--from', backup)
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(new RegExp(`^Removed ${unfinished}, left by a restore that did not finish\\.\\nMoved the database aside`)) })
    expect(readdirSync(dataDir).filter((name) => name.includes('.restoring-'))).toEqual([])
  })

  it('restores into the file a symbolic link assay.db leads to, keeping the link, and refuses a link to nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await unservedWithBackup()
    const volume = join(root, 'volume')
    mkdirSync(volume)
    renameSync(join(dataDir, 'assay.db'), join(volume, 'assay.db'))
    symlinkSync(join(volume, 'assay.db'), join(dataDir, 'assay.db'))

    const run = await assay(dataDir, 'restore', '--from', backup)
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(lstatSync(join(dataDir, 'assay.db')).isSymbolicLink()).toBe(true)
    // The backup, put where the link leads, as a deployment of its own (its id dropped: Deployments sharing one Redis).
    const restored = new Database(join(volume, 'assay.db'), { readonly: true, fileMustExist: true })
    try {
      expect(restored.prepare('select id, title from boards').all()).toEqual([{ id: boardId, title: 'Wagner redeployment' }])
      expect(restored.prepare('select count(*) as ids from deployment').get()).toEqual({ ids: 0 })
    } finally {
      restored.close()
    }
    expect(run.stdout).toMatch(new RegExp(`^Moved the database aside to ${volume}/assay\\.db\\.before-restore-\\S+; restored .* as ${volume}/assay\\.db \\(which ${dataDir}/assay\\.db links to\\)\\.\\n$`))
    const asideInVolume = readdirSync(volume).filter((name) => name.startsWith('assay.db.before-restore-'))
    expect(asideInVolume).toHaveLength(1)
    const replaced = new Database(join(volume, asideInVolume[0]!), { readonly: true, fileMustExist: true })
    try {
      expect(replaced.prepare('select count(*) as ids from deployment').get()).toEqual({ ids: 1 })
    } finally {
      replaced.close()
    }
    expect(await served(dataDir, boardId)).toMatchObject({ board: { status: 200 } })

    rmSync(volume, { recursive: true })
    const before = readdirSync(dataDir).sort()
    const dangling = await assay(dataDir, 'restore', '--from', backup)
    expect(dangling).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
    expect(dangling.stderr).toContain(`${dataDir}/assay.db is a symbolic link to ${volume}/assay.db, which cannot be reached (ENOENT): nothing was restored.`)
    expect(readdirSync(dataDir).sort()).toEqual(before)
    expect(readlinkSync(join(dataDir, 'assay.db'))).toBe(join(volume, 'assay.db'))
  })

  it('says a symbolic link to nothing exists already, and writes a backup under the longest name a file may have', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { backup } = await unservedWithBackup()
    const dangling = join(root, 'dangling.db')
    symlinkSync(join(root, 'nowhere', 'backup.db'), dangling)
    const refused = await assay(dataDir, 'backup', '--out', dangling)
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
    expect(refused.stderr).toContain(`Cannot write “${dangling}”: it exists already (a symbolic link to ${join(root, 'nowhere', 'backup.db')}); nothing was overwritten.`)

    const longest = join(root, `${'b'.repeat(252)}.db`)
    expect(await assay(dataDir, 'backup', '--out', longest)).toMatchObject({ code: 0, stderr: '' })
    expect(readFileSync(longest).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0')
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([])
    expect(readFileSync(backup).length).toBeGreaterThan(0)
  })

  it('names who may hold the database when a restore or an import holds it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await unservedWithBackup()
    const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' })
    // The lock as `assay restore` and `assay import` take it.
    const restoring = (await takeDatabaseAlone(config))!
    try {
      const writing = `an \`assay import\` or \`assay restore\` is writing the SQLite database in ${dataDir}`
      const article = join(root, 'article.txt')
      writeFileSync(article, 'Convoys were seen near Asipovichy.')
      expect(await assay(dataDir, 'import', article, '--board', boardId)).toMatchObject({ code: 1, stderr: `assay: ${writing}: nothing was imported. Try again once it has finished.\n` })
      expect(await assay(dataDir, 'restore', '--from', backup)).toMatchObject({ code: 1, stderr: `assay: ${writing}: nothing was restored. Try again once it has finished.\n` })
      expect(await assay(dataDir, 'backup', '--out', join(root, 'during.db'))).toMatchObject({ code: 1, stderr: `assay: ${writing}: nothing was backed up. Try again once it has finished.\n` })
      const lines: string[] = []
      const starting = holdServingLock(config, createLogger('warn', { write: (line: string) => lines.push(line) }))
      await waitFor(() => lines.find((line) => line.includes('waiting for it to finish')), 'a starting server to say what it waits for')
      expect(JSON.parse(lines[0]!).msg).toBe('an `assay import` or `assay restore` is writing the database: waiting for it to finish before serving')
      await restoring.release()
      await (await starting).release()
    } finally {
      await restoring.release()
    }
  })
})

describeUnless(postgresMissing)('`assay backup` and `assay restore` on PostgreSQL', () => {
  let root: string
  let database: string
  beforeEach(async () => {
    root = tempDir()
    database = freshDatabaseName()
    await createDatabase(database)
  })
  afterEach(async () => {
    rmSync(root, { recursive: true, force: true })
    await dropDatabase(database)
  })

  it('points to pg_dump and pg_restore, writing and changing nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env = { LOG_LEVEL: 'silent', DATA_DIR: join(root, 'data'), DATABASE_URL: databaseUrl(database) }
    const boardId = (await runCli(['board', 'create', '--title', 'Wagner redeployment'], env)).stdout.trim()
    // Refused before it is read: what it holds does not matter.
    const sqliteBackup = join(root, 'backup.db')
    writeFileSync(sqliteBackup, 'a backup of a SQLite database')
    const before = readdirSync(root).sort()

    const backup = await runCli(['backup', '--out', join(root, 'pg.db')], env)
    expect(backup).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
    expect(backup.stderr).toContain('the database is PostgreSQL: back it up with pg_dump (README: Operations, Backups and restore)')
    const restore = await runCli(['restore', '--from', sqliteBackup], env)
    expect(restore).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
    expect(restore.stderr).toContain('the database is PostgreSQL: restore a pg_dump with pg_restore')
    expect(existsSync(join(root, 'pg.db'))).toBe(false)
    expect(readdirSync(root).sort()).toEqual(before)
    expect((await runCli(['board', 'list'], env)).stdout).toMatch(new RegExp(`^${boardId}\\tWagner redeployment\\t`))
  })
})
