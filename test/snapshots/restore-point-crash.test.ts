/**
 * A restore's point is stored before the restore is committed: a server
 * killed right after the commit (the process stalled there by
 * serve-stalling.ts, then SIGKILLed) comes back with the board restored and
 * its restore point holding exactly the board the restore replaced. Stored
 * after the commit, the point was lost in 3 of 3 kills, and with it what the
 * restore replaced. And a restore whose point cannot be stored is never
 * committed.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import type { BoardModel } from '../../shared/board-model.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { apiClient } from '../helpers/api.ts'
import { startChildServer, type ChildServer } from '../helpers/child-server.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { openAccess } from '../helpers/open-access.ts'
import { createDatabase, databaseUrl, dropDatabase, freshDatabaseName, startTestServer, tempDir } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')
const STALLING = fileURLToPath(new URL('../helpers/serve-stalling.ts', import.meta.url))

const article = (tag: string) =>
  Array.from({ length: 6 }, (_, i) => `Report ${tag} ${i} says the depot ${i * 3} burned at dusk. [citation: Wire ${tag}]`).join('\n\n')

describeEachDialect(postgresMissing, 'a restore killed right after its commit on %s', (dialect) => {
  const children: ChildServer[] = []
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill()
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function storageEnv(): Promise<Record<string, string>> {
    if (dialect === 'sqlite') return {}
    const database = freshDatabaseName()
    await createDatabase(database)
    cleanups.push(() => dropDatabase(database))
    return { DATABASE_URL: databaseUrl(database) }
  }

  it('comes back restored with its restore point holding what the restore replaced', async () => {
    const dataDir = tempDir()
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const stall = join(dataDir, 'stall-after-commit')
    const env = { ...(await storageEnv()), SNAPSHOT_INTERVAL_MINUTES: '0' }
    const first = await startChildServer(dataDir, { ...env, STALL_AFTER_COMMIT: stall }, STALLING)
    children.push(first)
    const api = apiClient(first.url)
    const boardId = await api.createBoard('Restore killed')
    const base = `/api/boards/${boardId}`
    expect((await api.post(`${base}/import`, { text: article('one') })).status).toBe(200)
    const snapshot = await api.post<SnapshotSummary>(`${base}/snapshots`, { label: 'S' })
    expect((await api.post(`${base}/import`, { text: article('two') })).status).toBe(200)
    const replaced = (await api.get<BoardModel>(base)).body
    const restoredTo = (await api.get<BoardModel>(`${base}/snapshots/${snapshot.body.id}`)).body
    expect(replaced).not.toEqual(restoredTo)

    writeFileSync(stall, '')
    const restoring = api.post(`${base}/snapshots/${snapshot.body.id}/restore`).catch((error: unknown) => error)
    await waitFor(() => first.logs.includes('committed'), 'the restore to be committed', 30_000)
    await first.kill('SIGKILL')
    await restoring

    const second = await startChildServer(dataDir, env)
    children.push(second)
    const reader = apiClient(second.url)
    expect((await reader.get<BoardModel>(base)).body).toEqual(restoredTo)
    const points = (await reader.get<SnapshotSummary[]>(`${base}/snapshots?kind=restore`)).body
    expect(points.map((point) => point.label)).toEqual(['Before restore of S'])
    expect((await reader.get<BoardModel>(`${base}/snapshots/${points[0]!.id}`)).body).toEqual(replaced)
  }, 120_000)

  it('never commits a restore whose restore point could not be stored', async () => {
    const refusal = new Error('the restore point cannot be stored')
    const refusingRestorePoints = (storage: Storage): Storage => ({
      ...storage,
      snapshots: Object.assign(Object.create(storage.snapshots) as Storage['snapshots'], {
        create: (snapshot: Parameters<Storage['snapshots']['create']>[0], guard?: Parameters<Storage['snapshots']['create']>[1]) =>
          snapshot.kind === 'restore' ? Promise.reject(refusal) : storage.snapshots.create(snapshot, guard),
      }),
    })
    const server = await startTestServer({ dialect, access: () => openAccess(() => 'owner'), wrapStorage: refusingRestorePoints })
    cleanups.push(() => server.destroy())
    const api = apiClient(server.url)
    const boardId = await api.createBoard('Restore point refused')
    const base = `/api/boards/${boardId}`
    expect((await api.post(`${base}/import`, { text: article('one') })).status).toBe(200)
    const snapshot = await api.post<SnapshotSummary>(`${base}/snapshots`, { label: 'S' })
    expect((await api.post(`${base}/import`, { text: article('two') })).status).toBe(200)
    const before = (await api.get<BoardModel>(base)).body

    const refused = await api.post(`${base}/snapshots/${snapshot.body.id}/restore`)
    expect(refused.status).toBe(500)
    expect((await api.get<BoardModel>(base)).body).toEqual(before)
    expect((await api.get<SnapshotSummary[]>(`${base}/snapshots?kind=restore`)).body).toEqual([])
    // The board takes changes again, and what is stored is the board as it was.
    expect((await api.post(`${base}/assessments`, { title: 'After the refusal' })).status).toBe(201)
    const restarted = await server.restart()
    cleanups.push(() => restarted.destroy())
    const stored = (await apiClient(restarted.url).get<BoardModel>(base)).body
    expect(stored.claims).toEqual(before.claims)
    expect(stored.assessments.map((assessment) => assessment.title)).toEqual(['After the refusal'])
  }, 120_000)
})
