/**
 * Three instances behind Debian's nginx running the documented configuration
 * (deploy/nginx.conf): round-robin, no stickiness. Writers edit through nginx,
 * one instance is killed with SIGKILL mid-edit, and its clients reconnect
 * through nginx to the survivors. Acknowledged means a client other than the
 * writer has the edit: the server relays an edit only once it is committed.
 */
import { readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyStoredState } from '../../server/relay/merge-state.ts'
import { collection } from '../../shared/board-doc.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import type { BoardModel } from '../../shared/board-model.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { NGINX_CONFIG, startNginx } from '../helpers/nginx.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  freshDatabaseName,
  openTestStorage,
  REDIS_URL,
  tempDir,
} from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const missing = await missingServices('postgres', 'redis', 'nginx')

const WRITERS = 3
const INSTANCES = 3

it('the README shows the nginx configuration this test runs, verbatim', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
  expect(readme).toContain('```nginx\n' + readFileSync(NGINX_CONFIG, 'utf8') + '```\n')
})

describeUnless(missing)('several instances behind nginx', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  /** Instances started together, sharing a fresh database and the machine's Redis. */
  async function startInstances(count: number): Promise<{ database: string; instances: ChildServer[] }> {
    const database = freshDatabaseName()
    await createDatabase(database)
    cleanups.push(() => dropDatabase(database))
    const start = async () => {
      const dataDir = tempDir()
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
      const child = await startChildServer(dataDir, { DATABASE_URL: databaseUrl(database), REDIS_URL, COMPACT_AFTER_ROWS: '200' })
      cleanups.push(() => child.kill())
      return child
    }
    // Settled, not raced: an instance that fails to start must not leave the others running unseen.
    const started = await Promise.allSettled(Array.from({ length: count }, start))
    for (const result of started) if (result.status === 'rejected') throw result.reason
    return { database, instances: started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])) }
  }

  function connect(wsUrl: string, boardId: string): TestClient {
    const client = connectClient(wsUrl, boardId)
    cleanups.push(() => client.destroy())
    return client
  }

  it('a writer whose instance is killed mid-edit reconnects through nginx; every acknowledged edit is stored and all converge', async () => {
    const { database, instances } = await startInstances(INSTANCES)
    const balancer = await startNginx(instances.map((instance) => Number(new URL(instance.url).port)))
    cleanups.push(() => balancer.stop())
    const boardId = await apiClient(balancer.url).createBoard('Behind nginx')

    // Connected one after another, round-robin puts each writer and each observer on a different instance.
    const writers: TestClient[] = []
    const observers: TestClient[] = []
    for (const group of [writers, observers]) {
      for (let i = 0; i < WRITERS; i++) {
        const client = connect(balancer.wsUrl, boardId)
        await client.synced()
        group.push(client)
      }
    }
    const everyone = [...writers, ...observers]
    const dropped = new Set<TestClient>()
    for (const client of everyone) client.provider.on('connection-close', () => dropped.add(client))

    const acknowledged = new Set<string>()
    for (const observer of observers) {
      const cards = collection(observer.doc, 'assessments')
      cards.observe((event) => {
        for (const id of event.keysChanged) if (cards.has(id)) acknowledged.add(id)
      })
    }

    const made: string[][] = writers.map(() => [])
    const ackedOf = (writer: number) => made[writer]!.filter((id) => acknowledged.has(id)).length
    let writing = true
    const editing = writers.map(async (writer, n) => {
      for (let i = 0; writing; i++) {
        made[n]!.push(addAssessment(writer.doc, { title: `Writer ${n}, card ${i}` }))
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })

    try {
      await waitFor(() => writers.every((_, n) => ackedOf(n) >= 30), 'every writer to have edits acknowledged', 60_000)
      const ackedBeforeKill = new Set(acknowledged)
      const victim = instances[1]!
      await victim.kill('SIGKILL')
      await waitFor(() => writers.some((writer) => dropped.has(writer)), 'a writer of the killed instance to lose its connection', 30_000)
      await waitFor(() => everyone.every((client) => client.provider.wsconnected && client.provider.synced), 'every client to reconnect through nginx', 60_000)
      // No stickiness: the killed instance had one writer and one observer, and only they were cut off.
      expect(writers.filter((writer) => dropped.has(writer))).toHaveLength(1)
      expect(observers.filter((observer) => dropped.has(observer))).toHaveLength(1)
      // The writers go on editing on the survivors.
      const ackedAtReconnect = writers.map((_, n) => ackedOf(n))
      await waitFor(() => writers.every((_, n) => ackedOf(n) >= ackedAtReconnect[n]! + 30), 'edits acknowledged after the reconnect', 60_000)
      writing = false
      await Promise.all(editing)

      // Every edit any writer made, those in flight at the kill included, reaches every client.
      const allMade = made.flat()
      await waitFor(
        () => everyone.every((client) => allMade.every((id) => collection(client.doc, 'assessments').has(id))),
        'every client to hold every edit',
        60_000,
      )
      const model = boardToModel(observers[0]!.doc, boardId)
      for (const client of everyone) expect(boardToModel(client.doc, boardId)).toEqual(model)
      expect(model.assessments).toHaveLength(allMade.length)

      // What PostgreSQL holds is exactly that board: every acknowledged edit survived the kill.
      const stored = await storedModel(database, boardId)
      expect(stored).toEqual(model)
      const storedIds = new Set(stored.assessments.map((card) => card.id))
      expect([...ackedBeforeKill].filter((id) => !storedIds.has(id))).toEqual([])
      expect([...acknowledged].filter((id) => !storedIds.has(id))).toEqual([])

      // Plain HTTP through nginx goes to the survivors too, however the round-robin turns.
      for (let i = 0; i < INSTANCES * 2; i++) {
        const read = await apiClient(balancer.url).get<BoardModel>(`/api/boards/${boardId}`)
        expect(read.status).toBe(200)
        expect(read.body.assessments).toHaveLength(allMade.length)
      }
    } finally {
      writing = false
      await Promise.all(editing)
    }
    // Three server processes and nginx on a machine that may be busy: the waits above carry their own deadlines.
  }, 180_000)
})

/** The board as PostgreSQL stores it: the checkpoint and the update log after it. */
async function storedModel(database: string, boardId: string): Promise<BoardModel> {
  const dataDir = tempDir()
  const storage = await openTestStorage('postgres', dataDir, database)
  const doc = new Y.Doc()
  try {
    applyStoredState(doc, await storage.log.load(boardId))
    return boardToModel(doc, boardId)
  } finally {
    doc.destroy()
    await storage.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
