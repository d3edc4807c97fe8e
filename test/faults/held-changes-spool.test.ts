/**
 * An HTTP change answered 202 (its commit slower than COMMIT_WAIT_MS: the
 * update log's appends held in a server process of its own) is written to
 * DATA_DIR/held-changes before the answer, and a server started after that
 * process is SIGKILLed stores it before it serves anything: on SQLite and on
 * PostgreSQL. A change its account may no longer make, and a damaged,
 * truncated or oversized file, are set aside into held-changes/refused with
 * an error line, and the server starts all the same. A change whose commit
 * had landed before the kill stores nothing again. One person's held changes
 * take at most their share of the spool: past it their change is answered 503,
 * and another person's is still kept.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText, collection } from '../../shared/board-doc.ts'
import { addAssessment, deleteAssessment, updateAssessment } from '../../shared/board-mutations.ts'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { createLogger } from '../../server/log.ts'
import { HeldChangeSpool, type HeldEntry } from '../../server/relay/held-change-spool.ts'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { METRICS_TOKEN, sample } from '../helpers/prometheus-text.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, openTestStorage, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient } from '../helpers/yjs-client.ts'

const ENTRY = fileURLToPath(new URL('../helpers/serve-held-appends.ts', import.meta.url))
const ASSESSMENTS = '/api/boards/:id/assessments'

type Dialect = 'sqlite' | 'postgres'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A data folder (and for PostgreSQL a database) with an owner and an analyst, and servers started on it. */
async function setting(dialect: Dialect) {
  const dataDir = tempDir()
  const database = freshDatabaseName()
  if (dialect === 'postgres') await createMigratedDatabase(database)
  cleanups.push(async () => {
    rmSync(dataDir, { recursive: true, force: true })
    if (dialect === 'postgres') await dropDatabase(database)
  })
  const storage: Storage = await openTestStorage(dialect, dataDir, database)
  cleanups.push(() => storage.close())
  const services = { storage, logger: createLogger('silent') }
  const person = async (name: string, isAdmin: boolean) => {
    const user = await createAccount(services, { email: `${name}-${crypto.randomUUID().slice(0, 8)}@example.org`, name, password: `pw-${crypto.randomUUID()}`, isAdmin })
    if (!user) throw new Error('account not made')
    return { id: user.id, token: (await issueApiToken(services, user.id, 'test')).token }
  }
  const owner = await person('Owner', true)
  const analyst = await person('Analyst', false)
  const heldDir = join(dataDir, 'held-changes')
  const flag = join(dataDir, 'hold-appends')
  const afterCommitFlag = join(dataDir, 'hold-after-commit')
  const start = async (env: Record<string, string> = {}): Promise<ChildServer> => {
    const server = await startChildServer(dataDir, { COMMIT_WAIT_MS: '300', HOLD_APPENDS: flag, HOLD_AFTER_COMMIT: afterCommitFlag, LOG_LEVEL: 'info', ...(dialect === 'postgres' ? { DATABASE_URL: databaseUrl(database) } : {}), ...env }, ENTRY)
    cleanups.push(() => server.kill())
    return server
  }
  /**
   * A server started on this DATA_DIR but another database, as a DATABASE_URL forgotten or mistyped in a unit file
   * would start it: a PostgreSQL database of its own, or (DATABASE_URL unset) SQLite in DATA_DIR.
   */
  const startOnAnotherDatabase = async (other: Dialect, env: Record<string, string> = {}): Promise<ChildServer> => {
    if (other === 'sqlite') return start({ ...env, DATABASE_URL: '' })
    const otherDatabase = freshDatabaseName()
    await createMigratedDatabase(otherDatabase)
    cleanups.push(() => dropDatabase(otherDatabase))
    return start({ ...env, DATABASE_URL: databaseUrl(otherDatabase) })
  }
  const api = (server: ChildServer, token: string) => apiClient(server.url, { authorization: `Bearer ${token}` })
  const held = () => (existsSync(heldDir) ? readdirSync(heldDir).filter((name) => name.endsWith('.held')) : [])
  const refused = () => (existsSync(join(heldDir, 'refused')) ? readdirSync(join(heldDir, 'refused')) : [])
  /** Board `boardId` as stored, read from a server. */
  const boardText = async (server: ChildServer, boardId: string) => {
    const read = await api(server, owner.token).get(`/api/boards/${boardId}`)
    expect(read.status).toBe(200)
    return JSON.stringify(read.body)
  }
  /**
   * Makes a change answered 202 as `token`'s (an assessment titled `title`, or `change` to another route), its commit
   * held (or landed first with `afterCommit`), and SIGKILLs the server.
   */
  const heldThenKilled = async (server: ChildServer, token: string, boardId: string, title: string, afterCommit = false, change = { route: 'assessments', body: { title } as object }) => {
    const hold = afterCommit ? afterCommitFlag : flag
    writeFileSync(hold, '')
    const answer = await api(server, token).post<{ saving: string; message: string }>(`/api/boards/${boardId}/${change.route}`, change.body)
    expect(answer.status).toBe(202)
    expect(answer.body.saving).toBe('delayed')
    expect(answer.body.message).toMatch(/kept on this server’s disk/)
    // Written before the answer: nothing to wait for.
    expect(held()).toHaveLength(1)
    await server.kill('SIGKILL')
    rmSync(hold)
  }
  /** The server's log lines at `level` (pino's: 40 warn, 50 error). */
  const linesAt = (server: ChildServer, level: number) => server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.level === level)
  const errorLines = (server: ChildServer) => linesAt(server, 50)
  /** Every held change was stored: nothing left, nothing set aside, no error line. */
  const replayedCleanly = (server: ChildServer) => {
    expect(held()).toEqual([])
    expect(refused()).toEqual([])
    expect(errorLines(server)).toEqual([])
  }
  /** Board `boardId` as stored, in a doc of its own (no server running on it). */
  const storedDoc = async (boardId: string) => {
    const doc = new Y.Doc()
    applyStoredState(doc, await storage.log.load(boardId))
    return doc
  }
  /** Keeps a held change in the spool as a server answering 202 would (while no server runs). */
  const keepHeld = async (boardId: string, accountId: string | null, entries: HeldEntry[]) => {
    const spool = new HeldChangeSpool(dataDir, { maxChanges: 10, maxBytes: 65_536, sharePercent: 100 }, await storage.deployment.identity())
    await spool.keep({ boardId, accountId, route: ASSESSMENTS, at: new Date().toISOString(), entries })
    await spool.release()
  }
  /** The messages the server logged, in order. */
  const messages = (server: ChildServer) => server.logs.map((line) => String((JSON.parse(line) as Record<string, unknown>).msg))
  /** Resolves once the server's replay of the spool has ended. */
  const replayEnded = (server: ChildServer) => waitFor(() => messages(server).includes('held HTTP changes of an earlier run replayed'), 'the replay to end')
  return { dataDir, storage, owner, analyst, heldDir, flag, start, startOnAnotherDatabase, api, held, refused, boardText, heldThenKilled, linesAt, errorLines, replayedCleanly, storedDoc, keepHeld, messages, replayEnded }
}

/** A setting, a first server started on it, and a board of the owner's made there. */
async function boardOnFirstServer(dialect: Dialect, title: string) {
  const given = await setting(dialect)
  const first = await given.start()
  return { given, first, boardId: await given.api(first, given.owner.token).createBoard(title) }
}

describe.each<Dialect>(['sqlite', 'postgres'])('on %s', (dialect) => {
  it('a change answered 202 survives a SIGKILL: the next start stores it before serving, and leaves the spool empty', async () => {
    const { given, first, boardId } = await boardOnFirstServer(dialect, 'Crisis desk')
    await given.heldThenKilled(first, given.owner.token, boardId, 'Kept across a crash')

    const next = await given.start()
    expect(await given.boardText(next, boardId)).toContain('Kept across a crash')
    // Stored as its sender's change, as its commit would have stored it.
    expect((await given.storage.history.tail(boardId)).rows.at(-1)?.origin).toBe(`server:${given.owner.id}`)
    given.replayedCleanly(next)
  }, 120_000)
})

it('one person past their share of the spool is answered 503 while another person’s change is still answered 202, and stored at the next start', async () => {
  const given = await setting('sqlite')
  // A quarter (the default share) of 8 files: 2 a person.
  const first = await given.start({ HELD_CHANGES_MAX: '8' })
  const owner = given.api(first, given.owner.token)
  const analyst = given.api(first, given.analyst.token)
  // A board whose commit is held takes no other change until it lands: one change a board.
  const ownerBoards = [await owner.createBoard('First of the owner’s'), await owner.createBoard('Second'), await owner.createBoard('Third')]
  const analystBoard = await analyst.createBoard('The analyst’s own')
  writeFileSync(given.flag, '')
  const add = (api: typeof owner, boardId: string, title: string) => api.post<{ error: { code: string; message: string } }>(`/api/boards/${boardId}/assessments`, { title })
  expect((await add(owner, ownerBoards[0]!, 'Held one')).status).toBe(202)
  expect((await add(owner, ownerBoards[1]!, 'Held two')).status).toBe(202)

  const past = await add(owner, ownerBoards[2]!, 'Past the share')
  expect(past.status).toBe(503)
  expect(past.body.error.code).toBe('outcome_unknown')
  expect(past.body.error.message).toMatch(/your share/)
  expect(past.headers.get('retry-after')).not.toBeNull()
  expect((await add(analyst, analystBoard, 'Still kept for the analyst')).status).toBe(202)
  expect(given.held()).toHaveLength(3)
  await first.kill('SIGKILL')
  rmSync(given.flag)

  const next = await given.start()
  expect(await given.boardText(next, analystBoard)).toContain('Still kept for the analyst')
  expect(await given.boardText(next, ownerBoards[1]!)).toContain('Held two')
  expect(await given.boardText(next, ownerBoards[2]!)).not.toContain('Past the share')
  given.replayedCleanly(next)
}, 120_000)

it('a change whose account was removed from the board meanwhile is refused at replay, set aside and named at error level', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Removed analyst')
  await given.storage.members.add({ boardId, userId: given.analyst.id, role: 'editor', addedAt: new Date().toISOString() })
  await given.heldThenKilled(first, given.analyst.token, boardId, 'Not theirs to make any more')
  // An owner took them off the board while no server ran.
  expect(await given.storage.members.remove(boardId, given.analyst.id)).toBe('done')

  const next = await given.start()
  expect(await given.boardText(next, boardId)).not.toContain('Not theirs to make any more')
  expect(given.held()).toEqual([])
  expect(given.refused()).toHaveLength(1)
  const lines = given.errorLines(next)
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatchObject({ boardId, route: ASSESSMENTS, accountId: given.analyst.id, why: 'its account is no longer a member of the board' })
  expect(String(lines[0]!.msg)).toMatch(/refused and not stored; its file is set aside/)
}, 120_000)

it('a truncated, a corrupted and an oversized spool file do not stop the start: each is set aside with an error line', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Damaged spool')
  await given.heldThenKilled(first, given.owner.token, boardId, 'Cut short on disk')
  const [file] = given.held()
  const whole = readFileSync(join(given.heldDir, file!))
  writeFileSync(join(given.heldDir, file!), whole.subarray(0, Math.floor(whole.byteLength / 2)))
  writeFileSync(join(given.heldDir, '000000000000000-junk.held'), Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x0a, 0x01]))
  writeFileSync(join(given.heldDir, '000000000000001-large.held'), 'x'.repeat(70_000))

  const next = await given.start({ HELD_CHANGES_MAX_BYTES: '65536' })
  expect(await given.boardText(next, boardId)).not.toContain('Cut short on disk')
  expect(given.held()).toEqual([])
  expect(given.refused()).toHaveLength(3)
  const whys = given.errorLines(next).map((entry) => String(entry.why))
  expect(whys).toHaveLength(3)
  expect(whys).toEqual(expect.arrayContaining([expect.stringMatching(/does not start with its digest/), expect.stringMatching(/past HELD_CHANGES_MAX_BYTES/), expect.stringMatching(/does not match its digest/)]))
  // The server serves changes as ever.
  expect((await given.api(next, given.owner.token).post(`/api/boards/${boardId}/assessments`, { title: 'After the start' })).status).toBe(201)
}, 120_000)

it('a change whose commit landed just before the kill is replayed without storing anything again', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Landed already')
  await given.heldThenKilled(first, given.owner.token, boardId, 'Stored once', true)
  const rows = await given.storage.log.count(boardId)

  const next = await given.start()
  const text = await given.boardText(next, boardId)
  expect(text.split('Stored once')).toHaveLength(2)
  expect(await given.storage.log.count(boardId)).toBe(rows)
  given.replayedCleanly(next)
}, 120_000)

it('an import answered 202 (on SQLite, committed outside a turn) survives a SIGKILL as well: its update passes the checks at replay', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Imported in a crisis')
  await given.heldThenKilled(first, given.owner.token, boardId, '', false, { route: 'import', body: { text: 'The convoy left at dawn. [citation: NATO]' } })

  const next = await given.start()
  const text = await given.boardText(next, boardId)
  expect(text).toContain('The convoy left at dawn.')
  expect(text).toContain('NATO')
  given.replayedCleanly(next)
}, 120_000)

it('a held change that depends on content the board does not hold is set aside once HELD_CHANGES_RETRY_MS has passed, not applied in part', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Missing neighbour')
  await first.kill('SIGKILL')
  // Made after an edit that was never stored: its item's neighbour is that edit's.
  const unstored = new Y.Doc()
  unstored.clientID = 999_001
  unstored.getArray('assessments').insert(0, ['never stored'])
  const writer = new Y.Doc()
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(unstored))
  const before = Y.encodeStateVector(writer)
  writer.getArray('assessments').insert(1, ['depends on it'])
  await given.keepHeld(boardId, given.owner.id, [{ origin: `server:${given.owner.id}`, update: Y.encodeStateAsUpdate(writer, before) }])

  // Tried again for HELD_CHANGES_RETRY_MS, for a client to send the missing edit again: none does.
  const next = await given.start({ HELD_CHANGES_RETRY_MS: '1000' })
  await waitFor(() => given.refused().length === 1, 'the held change to be set aside')
  expect(await given.boardText(next, boardId)).not.toContain('depends on it')
  expect(given.held()).toEqual([])
  expect(given.errorLines(next)).toEqual([expect.objectContaining({ boardId, accountId: given.owner.id, why: expect.stringMatching(/depends on content the board does not hold \(999001:0\)/) })])
}, 120_000)

it('a held change that depends on a websocket client’s unsaved edit is stored once that client reconnects and sends it again', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Card then field')
  await first.kill('SIGKILL')
  // The client made a card the killed server never stored; an HTTP change answered 202 then set its field.
  const client = await given.storedDoc(boardId)
  const before = Y.encodeStateVector(client)
  const cardId = addAssessment(client, { title: 'Made over the websocket' })
  const unsaved = Y.encodeStateAsUpdate(client, before)
  const server = new Y.Doc()
  Y.applyUpdate(server, Y.encodeStateAsUpdate(client))
  const held = Y.encodeStateVector(server)
  updateAssessment(server, cardId, { confidence: 'high' })
  await given.keepHeld(boardId, given.owner.id, [{ origin: `server:${given.owner.id}`, update: Y.encodeStateAsUpdate(server, held) }])

  const next = await given.start()
  // Waiting for the edit it builds on, not set aside.
  expect(given.held()).toHaveLength(1)
  expect(given.refused()).toEqual([])
  const reconnected = connectClient(next.wsUrl, boardId, {}, { authorization: `Bearer ${given.owner.token}` })
  cleanups.push(() => reconnected.destroy())
  Y.applyUpdate(reconnected.doc, unsaved)
  await reconnected.synced()
  await waitFor(() => given.held().length === 0, 'the held change to be stored')
  const text = await given.boardText(next, boardId)
  expect(text).toContain('Made over the websocket')
  expect(text).toContain('"confidence":"high"')
  given.replayedCleanly(next)
}, 120_000)

it('a change stored already (its commit landed before the kill) is removed as stored even though its account was removed from the board meanwhile', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Stored, then removed')
  await given.storage.members.add({ boardId, userId: given.analyst.id, role: 'editor', addedAt: new Date().toISOString() })
  await given.heldThenKilled(first, given.analyst.token, boardId, 'Stored before the removal', true)
  expect(await given.storage.members.remove(boardId, given.analyst.id)).toBe('done')

  const next = await given.start()
  expect((await given.boardText(next, boardId)).split('Stored before the removal')).toHaveLength(2)
  given.replayedCleanly(next)
}, 120_000)

it('a replay the database does not finish keeps the server from listening at most COMMIT_WAIT_MS: the rest is replayed once it listens', async () => {
  const { given, first } = await boardOnFirstServer('sqlite', 'First')
  const api = given.api(first, given.owner.token)
  const boards = [await api.createBoard('Second'), await api.createBoard('Third'), await api.createBoard('Fourth')]
  await first.kill('SIGKILL')
  for (const [index, boardId] of boards.entries()) {
    const doc = await given.storedDoc(boardId)
    const before = Y.encodeStateVector(doc)
    addAssessment(doc, { title: `Held ${index}` })
    await given.keepHeld(boardId, given.owner.id, [{ origin: `server:${given.owner.id}`, update: Y.encodeStateAsUpdate(doc, before) }])
  }
  // Appends never finish: each file's commit waits COMMIT_WAIT_MS (300 ms here) in turn.
  writeFileSync(given.flag, '')

  const next = await given.start()
  expect((await fetch(`${next.url}/healthz`)).status).toBeLessThan(600)
  const listening = given.messages(next).indexOf('assay is listening')
  expect(listening).toBeGreaterThanOrEqual(0)
  // Listening came before the replay's end.
  await given.replayEnded(next)
  expect(given.messages(next).indexOf('held HTTP changes of an earlier run replayed')).toBeGreaterThan(listening)
  // Applied, saved once the database takes them: their files stay meanwhile.
  expect(given.held()).toHaveLength(3)
}, 120_000)

it('a spool file naming someone in its origin without an account, and one whose update cannot be decoded, are set aside, not retried for ever', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Hostile files')
  await first.kill('SIGKILL')
  const doc = await given.storedDoc(boardId)
  const before = Y.encodeStateVector(doc)
  addAssessment(doc, { title: 'Not from this server' })
  await given.keepHeld(boardId, null, [{ origin: `server:${given.owner.id}`, update: Y.encodeStateAsUpdate(doc, before) }])
  await given.keepHeld(boardId, given.owner.id, [{ origin: `server:${given.owner.id}`, update: new Uint8Array([1, 2, 3, 250, 250, 250]) }])

  const next = await given.start()
  expect(await given.boardText(next, boardId)).not.toContain('Not from this server')
  expect(given.held()).toEqual([])
  expect(given.refused()).toHaveLength(2)
  const whys = given.errorLines(next).map((entry) => String(entry.why))
  expect(whys).toEqual(expect.arrayContaining([expect.stringMatching(/origin \(server:.*\) names someone other than its account/), expect.stringMatching(/cannot be decoded/)]))
}, 120_000)

describe.each<Dialect>(['postgres', 'sqlite'])('a start on another database (%s) than the one a change was promised on', (other) => {
  it('leaves its file untouched, named in one warning line and counted in assay_held_changes_other_deployment; the next start on its own database stores it', async () => {
    const { given, first, boardId } = await boardOnFirstServer('postgres', 'Promised on PostgreSQL')
    await given.heldThenKilled(first, given.owner.token, boardId, 'Promised before the crash')
    const [file] = given.held()
    const content = readFileSync(join(given.heldDir, file!))

    const wrong = await given.startOnAnotherDatabase(other, { METRICS_TOKEN })
    await given.replayEnded(wrong)
    expect(given.held()).toEqual([file])
    expect(readFileSync(join(given.heldDir, file!))).toEqual(content)
    expect(given.refused()).toEqual([])
    expect(given.errorLines(wrong)).toEqual([])
    const warnings = given.linesAt(wrong, 40).filter((entry) => String(entry.msg).includes('another deployment'))
    expect(warnings).toEqual([expect.objectContaining({ files: 1, deployments: { [await given.storage.deployment.identity()]: 1 } })])
    const metrics = await fetch(`${wrong.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(sample(await metrics.text(), 'assay_held_changes_other_deployment')).toBe(1)
    await wrong.kill('SIGKILL')

    const right = await given.start()
    expect(await given.boardText(right, boardId)).toContain('Promised before the crash')
    given.replayedCleanly(right)
  }, 120_000)
})

it('a change whose board was deleted meanwhile, on the deployment it was promised on, is still set aside with its error line', async () => {
  const { given, first, boardId } = await boardOnFirstServer('postgres', 'Deleted meanwhile')
  await given.heldThenKilled(first, given.owner.token, boardId, 'On a board deleted since')
  await given.storage.boards.delete(boardId)

  const next = await given.start()
  await given.replayEnded(next)
  expect(given.held()).toEqual([])
  expect(given.refused()).toHaveLength(1)
  expect(given.errorLines(next)).toEqual([expect.objectContaining({ boardId, accountId: given.owner.id, why: 'its board no longer exists' })])
}, 120_000)

it('on a board full as it loads, held changes that only delete are stored, a word trimmed within its headroom too, and one that adds is set aside', async () => {
  const { given, first, boardId } = await boardOnFirstServer('sqlite', 'Full at replay')
  await first.kill('SIGKILL')
  // Eight cards of about 9.8 KB stored while no server runs: past a limit of 64 KiB as the board loads.
  const doc = await given.storedDoc(boardId)
  const filled = Y.encodeStateVector(doc)
  const cards = Array.from({ length: 8 }, (_, i) => addAssessment(doc, { title: `Report from the crossing ${i}`, judgment: 'An eyewitness account from the border crossing. '.repeat(200) }))
  await given.storage.log.append(boardId, [{ update: Y.encodeStateAsUpdate(doc, filled), origin: 'server' }])
  const origin = `server:${given.owner.id}`
  const held = (change: () => void) => {
    const before = Y.encodeStateVector(doc)
    change()
    return given.keepHeld(boardId, given.owner.id, [{ origin, update: Y.encodeStateAsUpdate(doc, before) }])
  }
  await held(() => deleteAssessment(doc, cards[0]!))
  // "Report" loses its "p": the title's run of characters split in three.
  await held(() => assessmentText(doc, cards[1]!, 'title').delete(2, 1))
  await held(() => addAssessment(doc, { title: 'Added while full' }))

  const next = await given.start({ BOARD_MAX_BYTES: '65536' })
  await given.replayEnded(next)
  const stored = await given.storedDoc(boardId)
  expect(collection(stored, 'assessments').has(cards[0]!)).toBe(false)
  expect(assessmentText(stored, cards[1]!, 'title').toString()).toBe('Reort from the crossing 1')
  expect(given.held()).toEqual([])
  expect(given.refused()).toHaveLength(1)
  expect(given.errorLines(next)).toEqual([expect.objectContaining({ boardId, why: expect.stringMatching(/^This board is full/) })])
}, 120_000)
