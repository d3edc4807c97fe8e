/**
 * `assay restore` and the HTTP changes answered `202` still held in
 * DATA_DIR/held-changes, with the real command line and real servers on a
 * SQLite file: a change held when its server was killed (its commit held
 * back by a flag file, as in test/faults/held-changes-spool.test.ts) stops a
 * restore that would strand it, listed; --discard-held sets it aside into a
 * folder of its own; taking the database kept aside back with --replay-held
 * stores it; --replay-held onto a backup of the same deployment replays it
 * there. And a killed restore's copy goes with the files SQLite left beside it.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createAccount, issueApiToken } from '../../server/auth/accounts.ts'
import { createLogger } from '../../server/log.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { runCli } from '../helpers/run-cli.ts'
import { openTestStorage, tempDir } from '../helpers/test-server.ts'

const HELD_APPENDS = fileURLToPath(new URL('../helpers/serve-held-appends.ts', import.meta.url))
/** Each command line and server is a process of its own: room for a loaded machine. */
const TEST_TIMEOUT_MS = 180_000

let root: string
let dataDir: string
const servers: ChildServer[] = []
beforeEach(() => {
  root = tempDir()
  dataDir = join(root, 'data')
})
afterEach(async () => {
  for (const server of servers.splice(0)) await server.kill()
  rmSync(root, { recursive: true, force: true })
})

const assay = (...args: string[]) => runCli(args, { LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '' })
const heldDir = () => join(dataDir, 'held-changes')
const held = () => (existsSync(heldDir()) ? readdirSync(heldDir()).filter((name) => name.endsWith('.held')) : [])
const keptAside = () => readdirSync(dataDir).filter((name) => name.startsWith('assay.db.before-restore-'))

/** A server whose update-log appends wait while the file `flag` exists (serve-held-appends.ts). */
async function serve(flag: string): Promise<ChildServer> {
  const server = await startChildServer(dataDir, { COMMIT_WAIT_MS: '300', HOLD_APPENDS: flag, LOG_LEVEL: 'info' }, HELD_APPENDS)
  servers.push(server)
  return server
}

/**
 * The red team's steps: a board with a card, `assay backup`, a second card
 * (`between` set) or none, then a card answered 202 whose commit never comes,
 * and the server SIGKILLed: its change held in one file, promised on the
 * database now in DATA_DIR.
 */
async function heldAfterBackup(between: boolean) {
  mkdirSync(dataDir, { recursive: true })
  const storage = await openTestStorage('sqlite', dataDir, '')
  const email = `owner-${crypto.randomUUID().slice(0, 8)}@example.org`
  const services = { storage, logger: createLogger('silent') }
  const owner = await createAccount(services, { email, name: 'Owner', password: `pw-${crypto.randomUUID()}`, isAdmin: true })
  const token = (await issueApiToken(services, owner!.id, 'test')).token
  await storage.close()
  const flag = join(root, 'hold-appends')
  const first = await serve(flag)
  const api = (server: ChildServer) => apiClient(server.url, { authorization: `Bearer ${token}` })
  const boardId = await api(first).createBoard('Held over a restore')
  const add = (server: ChildServer, title: string) => api(server).post<{ saving?: string }>(`/api/boards/${boardId}/assessments`, { title })
  expect((await add(first, 'Before the backup')).status).toBe(201)
  const backup = join(root, 'backup.db')
  expect((await assay('backup', '--out', backup)).code).toBe(0)
  if (between) expect((await add(first, 'After the backup')).status).toBe(201)
  writeFileSync(flag, '')
  const answer = await add(first, 'Promised with 202')
  expect(answer).toMatchObject({ status: 202, body: { saving: 'delayed' } })
  expect(held()).toHaveLength(1)
  await first.kill('SIGKILL')
  rmSync(flag)
  /** The card titles a server started now serves, and the server. */
  const titlesServed = async () => {
    const server = await serve(flag)
    const board = await api(server).get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)
    expect(board.status).toBe(200)
    return { server, titles: board.body.assessments.map((assessment) => assessment.title).sort() }
  }
  return { boardId, email, backup, file: held()[0]!, titlesServed }
}

it('refuses to restore while a change answered 202 is held for the database it would replace, listing it; --discard-held sets it aside; taking the database kept aside back with --replay-held stores it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { boardId, email, backup, file, titlesServed } = await heldAfterBackup(true)
  const content = readFileSync(join(heldDir(), file))

  const refused = await assay('restore', '--from', backup)
  expect(refused.code).toBe(1)
  expect(refused.stdout).toBe('')
  expect(refused.stderr).toContain(`1 HTTP change answered 202 is held in ${heldDir()}, not stored yet, promised on the current database, which the restore would replace`)
  expect(refused.stderr).toMatch(new RegExp(`board ${boardId}: 1 change by ${email}, at \\d{4}-`))
  expect(refused.stderr).toContain('nothing was restored')
  expect(refused.stderr).toMatch(/start a server once on the current database.*--replay-held.*--discard-held/s)
  expect(keptAside()).toEqual([])
  expect(held()).toEqual([file])

  const discarded = await assay('restore', '--from', backup, '--discard-held')
  expect(discarded).toMatchObject({ code: 0, stderr: '' })
  const [aside] = readdirSync(heldDir()).filter((name) => name.startsWith('set-aside-by-restore-'))
  expect(discarded.stdout).toContain(`Set it aside into ${join(heldDir(), aside!)}/ (--discard-held)`)
  expect(held()).toEqual([])
  expect(readFileSync(join(heldDir(), aside!, file))).toEqual(content)
  const restored = await titlesServed()
  expect(restored.titles).toEqual(['Before the backup'])
  await restored.server.kill('SIGTERM')
  await restored.server.exited

  // Going back: the file put back where it was held, and the database it was promised on taken back.
  renameSync(join(heldDir(), aside!, file), join(heldDir(), file))
  const [before] = keptAside()
  const notYet = await assay('restore', '--from', join(dataDir, before!))
  expect(notYet.code).toBe(1)
  expect(notYet.stderr).toContain('promised on the file being restored')
  expect(notYet.stderr).not.toContain('start a server once on the current database')
  const back = await assay('restore', '--from', join(dataDir, before!), '--replay-held')
  expect(back).toMatchObject({ code: 0, stderr: '' })
  expect(back.stdout).toContain('The restored database keeps its deployment (--replay-held): the next start on it replays it.')
  const stored = await titlesServed()
  expect(stored.titles).toEqual(['After the backup', 'Before the backup', 'Promised with 202'])
  expect(held()).toEqual([])
  expect(stored.server.logs.join('\n')).not.toContain('another deployment')
})

it('--replay-held restores a backup of the same deployment and the next start replays the held change onto it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { backup, titlesServed } = await heldAfterBackup(false)

  const run = await assay('restore', '--from', backup, '--replay-held')
  expect(run).toMatchObject({ code: 0, stderr: '' })
  expect(run.stdout).toContain('promised on the current database, which the restore would replace')
  const served = await titlesServed()
  expect(served.titles).toEqual(['Before the backup', 'Promised with 202'])
  expect(held()).toEqual([])
})

it('removes the -journal, -wal and -shm a killed restore left beside its copy, or alone, with the copy', { timeout: TEST_TIMEOUT_MS }, async () => {
  mkdirSync(dataDir, { recursive: true })
  await (await openTestStorage('sqlite', dataDir, '')).close()
  const backup = join(root, 'backup.db')
  expect((await assay('backup', '--out', backup)).code).toBe(0)
  const [gone, goneToo] = [0, 1].map(() => spawnSync(process.execPath, ['-e', '']).pid!)
  const copy = join(dataDir, `assay.db.restoring-${gone}`)
  copyFileSync(backup, copy)
  writeFileSync(`${copy}-journal`, 'a hot journal of the copy')
  // Its copy removed already: SQLite would take it for a fresh copy's own all the same.
  const alone = join(dataDir, `assay.db.restoring-${goneToo}-wal`)
  writeFileSync(alone, 'a write-ahead log of a copy')

  const run = await assay('restore', '--from', backup)
  expect(run).toMatchObject({ code: 0, stderr: '' })
  for (const path of [copy, `${copy}-journal`, alone]) expect(run.stdout).toContain(`Removed ${path}, left by a restore that did not finish.`)
  expect(readdirSync(dataDir).filter((name) => name.includes('.restoring-'))).toEqual([])
})
