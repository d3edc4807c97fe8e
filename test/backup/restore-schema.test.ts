/**
 * A backup file is untrusted input: `assay restore` puts in place only a
 * database whose schema is exactly what this build's migrations make at its
 * migration, with the real command line and real servers in processes of
 * their own. A trigger that deletes each update-log row as it is written (the
 * server would acknowledge edits that are gone after a restart), one that
 * un-revokes tokens, a view in a table's place, tables, indexes and columns of
 * anyone else's, and a file claiming migrations it does not have are refused,
 * naming what differs and changing nothing. `assay backup` refuses to pass
 * such a database on, and neither a server nor a command opens one. Backups
 * of this build's migration and of an older one restore.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SQLITE_MIGRATIONS } from '../../server/storage/sqlite-schema.ts'
import { apiClient } from '../helpers/api.ts'
import type { ChildServer } from '../helpers/child-server.ts'
import { copiedFixture } from '../helpers/copied-fixture.ts'
import { folderDigest } from '../helpers/folder-digest.ts'
import { sqliteOperator } from '../helpers/sqlite-operator.ts'
import { tempDir } from '../helpers/test-server.ts'

/** Each command line and server is a process of its own: room for a loaded machine. */
const TEST_TIMEOUT_MS = 240_000
const ONE_LINE = /^assay: [^\n]+\n$/
const JOURNAL = JSON.parse(readFileSync(join(SQLITE_MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }
const LATEST = JOURNAL.entries.length
const SWALLOW_EDITS = 'create trigger zz_swallow after insert on board_updates begin delete from board_updates where seq = new.seq; end'

describe('a database whose schema is not what Assay’s migrations made', () => {
  let root: string
  let dataDir: string

  beforeEach(() => {
    root = tempDir()
    dataDir = join(root, 'data')
  })
  afterEach(async () => {
    await killAll()
    rmSync(root, { recursive: true, force: true })
  })

  const { assay, serve, stop, killAll } = sqliteOperator()
  const addAssessment = async (server: ChildServer, boardId: string, title: string) => {
    expect((await apiClient(server.url).post(`/api/boards/${boardId}/assessments`, { title })).status).toBe(201)
  }
  const assessments = async (server: ChildServer, boardId: string) =>
    (await apiClient(server.url).get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)).body.assessments.map((assessment) => assessment.title).sort()
  /**
   * A board with two assessments, backed up, then a third made after the backup: the data dir as a restore finds it.
   * Made once for the file (a server and a backup, each a process of its own) and copied into each test's folder.
   */
  const served = copiedFixture(async (folder) => {
    const server = await serve(join(folder, 'data'))
    const boardId = await apiClient(server.url).createBoard('Wagner redeployment')
    await addAssessment(server, boardId, 'First')
    await addAssessment(server, boardId, 'Second')
    expect((await assay(join(folder, 'data'), 'backup', '--out', join(folder, 'backup.db'))).code).toBe(0)
    await addAssessment(server, boardId, 'After the backup')
    await stop(server)
    return boardId
  })
  const servedWithBackup = async () => ({ boardId: await served(root), backup: join(root, 'backup.db') })
  /** A copy of `file` as someone changed it with any SQLite tool. */
  const tampered = (file: string, name: string, sql: string) => {
    const copy = join(root, name)
    copyFileSync(file, copy)
    const client = new Database(copy)
    try {
      client.exec(sql)
    } finally {
      client.close()
    }
    return copy
  }
  const refusedRestore = async (from: string) => {
    const run = await assay(dataDir, 'restore', '--from', from)
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(ONE_LINE) })
    expect(run.stderr).toMatch(/\. Nothing was restored\.\n$/)
    return run.stderr
  }

  it('refuses a backup whose trigger would drop acknowledged edits, changing nothing: the server keeps every edit across a restart', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { boardId, backup } = await servedWithBackup()
    const evil = tampered(backup, 'evil.db', SWALLOW_EDITS)
    const before = folderDigest(dataDir)

    expect(await refusedRestore(evil)).toBe(
      `assay: “${evil}” is not as Assay's migrations made it (at migration ${LATEST} of ${LATEST}): trigger “zz_swallow” on board_updates is not Assay's. Nothing was restored.\n`,
    )
    expect(folderDigest(dataDir)).toEqual(before)

    // An edit acknowledged now is still there after a restart: no trigger came in.
    const server = await serve(dataDir)
    await addAssessment(server, boardId, 'After the refusal')
    await stop(server)
    const again = await serve(dataDir)
    expect(await assessments(again, boardId)).toEqual(['After the backup', 'After the refusal', 'First', 'Second'])
    await stop(again)

    // The backup as it was taken restores.
    expect(await assay(dataDir, 'restore', '--from', backup)).toMatchObject({ code: 0, stdout: expect.stringContaining(`restored ${backup} (1 board)`) })
    const restored = await serve(dataDir)
    expect(await assessments(restored, boardId)).toEqual(['First', 'Second'])
  })

  it('refuses triggers, views, tables, indexes and columns not of Assay’s migrations, and migrations a file does not have, naming them', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { backup } = await servedWithBackup()
    const source = new Database(backup, { readonly: true })
    const applied = source.prepare('select hash, created_at as at from __drizzle_migrations order by rowid').all() as { hash: string; at: number }[]
    source.close()
    const onlyBoards = join(root, 'only-boards.db')
    const claiming = new Database(onlyBoards)
    claiming.exec('create table boards (id text); create table __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)')
    for (const { hash, at } of applied) claiming.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run(hash, at)
    claiming.close()
    const before = folderDigest(dataDir)

    for (const [from, named] of [
      [
        tampered(backup, 'unrevokable.db', 'create trigger zz_keep after update of revoked_at on api_tokens when new.revoked_at is not null begin update api_tokens set revoked_at = null where id = new.id; end'),
        [`trigger “zz_keep” on api_tokens is not Assay's`],
      ],
      [
        tampered(
          backup,
          'no-audit.db',
          'alter table audit_log rename to audit_log_real; create view audit_log as select * from audit_log_real; create trigger zz_noaudit instead of insert on audit_log begin select 1; end',
        ),
        [`view “audit_log” is not Assay's`, `trigger “zz_noaudit” on audit_log is not Assay's`, `(and 4 more)`],
      ],
      [tampered(backup, 'notes.db', 'create table notes (body text)'), [`table “notes” is not Assay's`]],
      [tampered(backup, 'index.db', 'create index boards_title on boards (title)'), [`index “boards_title” on boards is not Assay's`]],
      [tampered(backup, 'column.db', 'alter table users add column note text'), [`: table “users” differs from Assay's.`]],
      [onlyBoards, [`(at migration ${LATEST} of ${LATEST}): table “boards” differs from Assay's`, 'is missing']],
      [tampered(backup, 'renumbered.db', 'update __drizzle_migrations set created_at = created_at - 1 where rowid = 2'), [`has a migrations table that is not this version's migrations in order`]],
    ] as const) {
      const stderr = await refusedRestore(from)
      for (const part of named) expect(stderr).toContain(part)
      expect(folderDigest(dataDir)).toEqual(before)
    }
  })

  it('is opened neither by a server nor by a command, which change nothing in it', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { backup } = await servedWithBackup()
    // Copied in by hand, past `assay restore`.
    rmSync(dataDir, { recursive: true })
    mkdirSync(dataDir)
    const database = join(dataDir, 'assay.db')
    copyFileSync(tampered(backup, 'evil.db', SWALLOW_EDITS), database)
    const file = readFileSync(database)
    const refusal = `the database ${database} is not as Assay's migrations made it (at migration ${LATEST} of ${LATEST}): trigger “zz_swallow” on board_updates is not Assay's: Assay does not open it (README: Operations, Backups and restore).`

    const started = await serve(dataDir).then(
      () => 'served',
      (error: unknown) => String(error),
    )
    expect(started).toContain(refusal)
    expect(await assay(dataDir, 'board', 'list')).toEqual({ code: 1, stdout: '', stderr: `assay: ${refusal}\n` })
    expect(readFileSync(database).equals(file)).toBe(true)
    expect(readdirSync(dataDir).filter((name) => name.startsWith('assay.db'))).toEqual(['assay.db'])

    // Nor one of a later version, whose schema this one does not know.
    copyFileSync(tampered(backup, 'later.db', `insert into __drizzle_migrations (hash, created_at) values ('later', ${Date.now() + 86_400_000})`), database)
    expect(await assay(dataDir, 'board', 'list')).toEqual({
      code: 1,
      stdout: '',
      stderr: `assay: the database ${database} comes from a later version of Assay (1 migration this version does not know): Assay does not open it (README: Operations, Backups and restore).\n`,
    })
  })

  it('is not passed on by `assay backup`, which writes nothing', { timeout: TEST_TIMEOUT_MS }, async () => {
    const server = await serve(dataDir)
    await apiClient(server.url).createBoard('Wagner redeployment')
    // Written into the live database behind the server's back.
    const live = new Database(join(dataDir, 'assay.db'))
    live.pragma('busy_timeout = 5000')
    live.exec('create trigger zz_keep after update of revoked_at on api_tokens begin update api_tokens set revoked_at = null where id = new.id; end')
    live.close()
    const before = readdirSync(root).sort()

    const out = join(root, 'next.db')
    const run = await assay(dataDir, 'backup', '--out', out)
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `assay: the copy of “${join(dataDir, 'assay.db')}” is not as Assay's migrations made it (at migration ${LATEST} of ${LATEST}): trigger “zz_keep” on api_tokens is not Assay's. Nothing was backed up.\n`,
    })
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(root).sort()).toEqual(before)
  })

  it('restores a backup of an older migration, which the next server start migrates, and refuses it tampered', { timeout: TEST_TIMEOUT_MS }, async () => {
    // What an older version of Assay made: the same migrator with only its first migrations.
    const older = 3
    const migrations = join(root, 'older-migrations')
    cpSync(SQLITE_MIGRATIONS, migrations, { recursive: true })
    writeFileSync(join(migrations, 'meta', '_journal.json'), JSON.stringify({ ...JOURNAL, entries: JOURNAL.entries.slice(0, older) }))
    const backup = join(root, 'older.db')
    const client = new Database(backup)
    migrate(drizzle({ client }), { migrationsFolder: migrations })
    client.close()

    const evil = tampered(backup, 'older-evil.db', SWALLOW_EDITS)
    expect(await refusedRestore(evil)).toContain(`(at migration ${older} of ${LATEST}): trigger “zz_swallow” on board_updates is not Assay's`)

    expect(await assay(dataDir, 'restore', '--from', backup)).toMatchObject({ code: 0, stderr: '', stdout: expect.stringContaining(`restored ${backup} (0 boards)`) })
    const server = await serve(dataDir)
    const boardId = await apiClient(server.url).createBoard('Wagner redeployment')
    await addAssessment(server, boardId, 'First')
    expect(await assay(dataDir, 'backup', '--out', join(root, 'migrated.db'))).toMatchObject({ code: 0, stdout: expect.stringContaining('1 board') })
    await stop(server)
  })
})
