/**
 * Two deployments sharing one Redis server (red team 30b): production, and a
 * scratch copy restored from its backup (README: check that a backup
 * restores), each on its own SQLite and its own Redis database number, which
 * pub/sub ignores. Neither may hear the other's edits, nor store them once
 * its clients reconnect; and a database number Redis does not have refuses
 * the start, where the server used to log it once and run on database 0.
 */
import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from '../shared/board-convert.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { apiClient } from './helpers/api.ts'
import { startChildServer } from './helpers/child-server.ts'
import { runCli } from './helpers/run-cli.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { createDatabase, databaseUrl, dropDatabase, REDIS_URL, startTestServer, tempDir, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const missing = await missingServices('redis')
const postgresMissing = await missingServices('postgres', 'redis')

/** How long a restore or a backup may take on a loaded machine: a bound, not a measurement. */
const CLI_MS = 60_000

const servers: TestServer[] = []
const clients: TestClient[] = []
const folders: string[] = []
const databases: string[] = []
const redisClients: Redis[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const redis of redisClients.splice(0)) redis.disconnect()
  for (const server of servers.splice(0).reverse()) await server.destroy()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
  for (const database of databases.splice(0)) await dropDatabase(database)
})

/** A command of PostgreSQL's, as an operator runs it. */
const run = promisify(execFile)

/** Each test's deployments apart from any other test's: the prefix is the operator's, the rest is each deployment's own. */
const testPrefix = () => `assay-test-${crypto.randomUUID().slice(0, 8)}`

const titles = (doc: Y.Doc, boardId: string) => boardToModel(doc, boardId).assessments.map((assessment) => assessment.title)

function connect(server: TestServer, boardId: string, doc?: Y.Doc): TestClient {
  const client = connectClient(server.wsUrl, boardId)
  if (doc) {
    // The page's document as it was (a browser's offline copy), reconnecting: what it holds is sent to the server.
    Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(doc))
  }
  clients.push(client)
  return client
}

/** Every message on a board's channels, whatever their names: the channel and the titles its committed update adds. */
async function watchBoard(boardId: string): Promise<{ channel: string; titles: string[] }[]> {
  const watcher = new Redis(REDIS_URL)
  redisClients.push(watcher)
  const seen: { channel: string; titles: string[] }[] = []
  watcher.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
    const decoder = decoding.createDecoder(new Uint8Array(message))
    decoding.readVarString(decoder)
    if (decoding.readVarUint(decoder) !== 0) return
    const doc = new Y.Doc()
    Y.applyUpdate(doc, decoding.readVarUint8Array(decoder))
    seen.push({ channel: channel.toString(), titles: titles(doc, boardId) })
  })
  await watcher.psubscribe(`*${boardId}`)
  return seen
}

/**
 * Publishes on `channel` a committed update adding an assessment titled `title`, as another instance of its
 * deployment would, and waits for `client` to hold it: Redis delivers a subscriber's messages in the order it
 * took them, so anything published before on a channel the client's server subscribes to has been applied by then.
 */
async function barrier(channel: string, client: TestClient, boardId: string, title: string): Promise<void> {
  const elsewhere = new Y.Doc()
  Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(client.doc))
  const before = Y.encodeStateVector(elsewhere)
  addAssessment(elsewhere, { title })
  const encoder = encoding.createEncoder()
  encoding.writeVarString(encoder, crypto.randomUUID())
  encoding.writeVarUint(encoder, 0)
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(elsewhere, before))
  const publisher = new Redis(REDIS_URL)
  redisClients.push(publisher)
  await publisher.publish(channel, Buffer.from(encoding.toUint8Array(encoder)))
  await waitFor(() => titles(client.doc, boardId).includes(title), `${title} to reach its client`)
}

describeUnless(missing)('deployments sharing one Redis server', () => {
  it('a copy restored from a backup hears none of the original’s edits, nor the original the copy’s, and neither stores the other’s after its clients reconnect', async () => {
    const prefix = testPrefix()
    const production = await startTestServer({ env: { REDIS_URL: `${REDIS_URL}/1`, REDIS_PREFIX: prefix } })
    servers.push(production)
    const boardId = await apiClient(production.url).createBoard('Production board')
    const backup = join(tempDir(), 'production.db')
    folders.push(join(backup, '..'))
    const backedUp = await runCli(['backup', '--out', backup], { DATA_DIR: production.dataDir, DATABASE_URL: '', REDIS_URL: '' })
    expect(backedUp.stderr).toBe('')
    // The scratch copy: a server started once on a folder of its own, stopped, the backup restored there, started again.
    const fresh = await startTestServer({ env: { REDIS_URL: `${REDIS_URL}/2`, REDIS_PREFIX: prefix } })
    servers.push(fresh)
    await fresh.close()
    const restored = await runCli(['restore', '--from', backup], { DATA_DIR: fresh.dataDir, DATABASE_URL: '', REDIS_URL: '' })
    expect(restored.stderr).toBe('')
    const scratch = await fresh.restart()
    servers.push(scratch)
    await neitherHearsTheOther(production, scratch, boardId)
  }, CLI_MS * 3)

  it('refuses to start on a Redis database number Redis does not have, in one line, where it ran on database 0', async () => {
    const dataDir = tempDir()
    folders.push(dataDir)
    const badUrl = `${REDIS_URL}/99999`
    // One that listens all the same is stopped at once.
    const started = await startChildServer(dataDir, { REDIS_URL: badUrl }).then(
      async (child) => {
        await child.kill()
        return 'listening'
      },
      (error: unknown) => String(error),
    )
    expect(started).toMatch(/Redis refused database 99999/)
    const served = await runCli(['serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: badUrl, LOG_LEVEL: 'silent' })
    expect(served.code).toBe(1)
    expect(served.stderr).toBe('assay: REDIS_URL: Redis refused database 99999 (ERR DB index is out of range): not starting. Name a database it has, or none (database 0).\n')
  }, CLI_MS * 2)
})

describeUnless(postgresMissing)('deployments on PostgreSQL sharing one Redis server', () => {
  it('a copy made with pg_dump and pg_restore into another database hears none of the original’s edits, nor the original the copy’s', async () => {
    const prefix = testPrefix()
    const production = await startTestServer({ dialect: 'postgres', env: { REDIS_URL, REDIS_PREFIX: prefix } })
    servers.push(production)
    const boardId = await apiClient(production.url).createBoard('Production board')
    const dump = join(tempDir(), 'production.dump')
    folders.push(join(dump, '..'))
    await run('pg_dump', ['--format=custom', `--file=${dump}`, databaseUrl(production.database)])
    const copy = `${production.database}_copy`
    await createDatabase(copy)
    databases.push(copy)
    await run('pg_restore', ['--no-owner', `--dbname=${databaseUrl(copy)}`, dump])
    const scratch = await startTestServer({ dialect: 'postgres', database: copy, env: { REDIS_URL, REDIS_PREFIX: prefix } })
    servers.push(scratch)
    await neitherHearsTheOther(production, scratch, boardId)
  }, CLI_MS * 3)
})

/**
 * An edit on each deployment's page, published; then, after each, an update published on its channel and
 * received (barrier): neither page holds the other's edit. Both pages then reconnect, with what they hold, to
 * their servers started afresh, and what each database stores is its own.
 */
async function neitherHearsTheOther(production: TestServer, scratch: TestServer, boardId: string): Promise<void> {
  const seen = await watchBoard(boardId)
  const productionUser = connect(production, boardId)
  const scratchUser = connect(scratch, boardId)
  await Promise.all([productionUser.synced(), scratchUser.synced()])
  expect(titles(scratchUser.doc, boardId)).toEqual([])

  addAssessment(productionUser.doc, { title: 'Production edit' })
  addAssessment(scratchUser.doc, { title: 'Scratch test edit' })
  const productionChannel = (await waitFor(() => seen.find((message) => message.titles.includes('Production edit')), 'production’s edit published')).channel
  const scratchChannel = (await waitFor(() => seen.find((message) => message.titles.includes('Scratch test edit')), 'the scratch edit published')).channel
  // Each published before the other's barrier: had either server subscribed to the other's channel, its client would hold the other's edit.
  await barrier(productionChannel, productionUser, boardId, 'Production barrier')
  await barrier(scratchChannel, scratchUser, boardId, 'Scratch barrier')
  expect(titles(productionUser.doc, boardId).sort()).toEqual(['Production barrier', 'Production edit'])
  expect(titles(scratchUser.doc, boardId).sort()).toEqual(['Scratch barrier', 'Scratch test edit'])

  // The pages reconnect with what they hold, to servers started afresh; what each database then holds is its own.
  productionUser.destroy()
  scratchUser.destroy()
  const productionAgain = await production.restart()
  servers.push(productionAgain)
  const scratchAgain = await scratch.restart()
  servers.push(scratchAgain)
  const productionBack = connect(productionAgain, boardId, productionUser.doc)
  const scratchBack = connect(scratchAgain, boardId, scratchUser.doc)
  await Promise.all([productionBack.synced(), scratchBack.synced()])
  const productionStored = await restartedAndRead(productionAgain, boardId, 'Production edit')
  const scratchStored = await restartedAndRead(scratchAgain, boardId, 'Scratch test edit')
  expect(productionStored.sort()).toEqual(['Production barrier', 'Production edit'])
  expect(scratchStored.sort()).toEqual(['Scratch barrier', 'Scratch test edit'])
}

/** The board as the restarted server stores it once its client's reconnection has stored `title`, read by a new client. */
async function restartedAndRead(server: TestServer, boardId: string, title: string): Promise<string[]> {
  const reader = connect(server, boardId)
  await waitFor(async () => {
    await reader.synced()
    return titles(reader.doc, boardId).includes(title)
  }, `${title} stored`)
  const again = await server.restart()
  servers.push(again)
  const fresh = connect(again, boardId)
  await fresh.synced()
  return titles(fresh.doc, boardId)
}
