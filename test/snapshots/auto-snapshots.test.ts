/**
 * Automatic snapshots: each interval, every board changed since its latest
 * snapshot gets one; the oldest automatic ones beyond the retention count go,
 * while named ones, restore points and reviewed ones stay; several instances
 * sweeping at once make one snapshot, not one each.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import { describeEachDialect, describeUnless, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { callerOf, startTeam, type Team } from './team.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'automatic snapshots on %s', (dialect) => {
  let team: Team
  const extra: TestServer[] = []
  const base = () => `/api/boards/${team.boardId}`
  const snapshots = async (boardId = team.boardId) => (await team.owner.get<SnapshotSummary[]>(`/api/boards/${boardId}/snapshots`)).body
  const sweep = () => team.server.services.autoSnapshots.runOnce()

  afterEach(async () => {
    for (const server of extra.splice(0)) await server.destroy()
    await team.close()
  })

  it('snapshots the boards that changed since their latest snapshot, and only those', async () => {
    team = await startTeam(dialect)
    const other = (await team.owner.post<{ id: string }>('/api/boards', { title: 'Second board' })).body.id

    const first = await sweep()
    expect(first.taken).toHaveLength(2)
    const [auto] = await snapshots()
    expect(auto).toMatchObject({ kind: 'auto', label: 'Automatic snapshot', authorId: null, authorName: 'Assay', previousId: null })
    expect((await sweep()).taken).toEqual([])

    await team.editor.post(`${base()}/assessments`, { title: 'A change' })
    const second = await sweep()
    expect(second.taken).toHaveLength(1)
    expect((await snapshots())[0]!.id).toBe(second.taken[0])
    expect(await snapshots(other)).toHaveLength(1)

    // A named snapshot of the current content covers it: nothing new to snapshot.
    await team.editor.post(`${base()}/assessments`, { title: 'Another change' })
    await team.editor.post(`${base()}/snapshots`, { label: 'Named' })
    expect((await sweep()).taken).toEqual([])

    // Compaction rewrites the stored log but not the content: no snapshot either.
    await team.server.services.compaction.compact(team.boardId)
    expect((await sweep()).taken).toEqual([])
  })

  it('keeps the newest automatic snapshots up to the retention count, and every named, restore and reviewed one', async () => {
    team = await startTeam(dialect, { SNAPSHOT_RETENTION: '2' })
    const change = async (title: string) => (await team.editor.post<{ id: string }>(`${base()}/assessments`, { title })).body.id
    const assessment = await change('change 0')
    const reviewed = (await sweep()).taken[0]!
    await team.reviewer.post(`${base()}/snapshots/${reviewed}/comments`, { assessmentId: assessment, body: 'Keep this one' })
    await change('change 1')
    const named = (await team.editor.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Kept forever' })).body.id
    await change('change 2')
    const dropped = (await sweep()).taken[0]!
    const restore = (await team.owner.post<{ before: SnapshotSummary }>(`${base()}/snapshots/${named}/restore`)).body.before.id
    await change('change 3')
    const newer = (await sweep()).taken[0]!
    await change('change 4')
    const newest = await sweep()
    expect(newest.pruned).toBe(1)

    const kept = await snapshots()
    expect(kept.map((s) => s.id)).toEqual([newest.taken[0], newer, restore, named, reviewed])
    expect(kept.map((s) => s.id)).not.toContain(dropped)
    // The chain of previous snapshots skips the deleted one.
    expect(kept.map((s) => s.previousId)).toEqual([newer, restore, named, reviewed, null])
    expect((await team.reviewer.get(`${base()}/snapshots/${dropped}`)).status).toBe(404)
  })

  it('runs on a timer of the configured interval', async () => {
    // 0.002 minutes: a sweep every 120 ms.
    team = await startTeam(dialect, { SNAPSHOT_INTERVAL_MINUTES: '0.002' })
    await waitFor(async () => (await snapshots()).length === 1, 'the first automatic snapshot')
    await team.editor.post(`${base()}/assessments`, { title: 'A change' })
    await waitFor(async () => (await snapshots()).length === 2, 'an automatic snapshot of the change')
    expect((await snapshots()).every((s) => s.kind === 'auto')).toBe(true)
  })

  it('joins a sweep already running rather than starting a second one', async () => {
    team = await startTeam(dialect)
    const [one, two] = [sweep(), sweep()]
    expect(one).toBe(two)
    expect((await one).taken).toHaveLength(1)
  })
})

// Instances share a database only on PostgreSQL; SQLite serves one process.
describeUnless(postgresMissing)('automatic snapshots on several instances', () => {
  let team: Team
  const extra: TestServer[] = []
  const base = () => `/api/boards/${team.boardId}`
  const snapshots = async () => (await team.owner.get<SnapshotSummary[]>(`${base()}/snapshots`)).body
  const sweep = () => team.server.services.autoSnapshots.runOnce()

  afterEach(async () => {
    for (const server of extra.splice(0)) await server.destroy()
    await team.close()
  })

  it('makes one snapshot when several instances sweep at once', async () => {
    team = await startTeam('postgres')
    const second = await startTestServer({ dialect: 'postgres', accounts: true, database: team.server.database, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
    extra.push(second)
    for (let round = 0; round < 3; round++) {
      await team.editor.post(`${base()}/assessments`, { title: `change ${round}` })
      const results = await Promise.all([sweep(), second.services.autoSnapshots.runOnce()])
      expect(results.flatMap((r) => r.taken)).toHaveLength(1)
    }
    expect(await snapshots()).toHaveLength(3)
    const viaSecond = callerOf(() => second, { authorization: `Bearer ${team.owner.token}` })
    expect((await viaSecond.get<SnapshotSummary[]>(`${base()}/snapshots`)).body).toEqual(await snapshots())
  })

})

describe('snapshot settings', () => {
  it('default to hourly snapshots keeping 48 per board', () => {
    const config = loadConfig({})
    expect(config.SNAPSHOT_INTERVAL_MINUTES).toBe(60)
    expect(config.SNAPSHOT_RETENTION).toBe(48)
  })

  it('refuse bad values with a message naming the setting', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (error) {
        if (error instanceof ConfigError) return error.message
        throw error
      }
      throw new Error('accepted')
    }
    expect(refusal({ SNAPSHOT_INTERVAL_MINUTES: 'hourly' })).toContain(
      'SNAPSHOT_INTERVAL_MINUTES: must be a number of minutes, e.g. 60; 0 turns automatic snapshots off',
    )
    expect(refusal({ SNAPSHOT_INTERVAL_MINUTES: '-5' })).toContain('SNAPSHOT_INTERVAL_MINUTES: must be 0 (off) or at least 0.001 minutes (60 ms)')
    expect(refusal({ SNAPSHOT_RETENTION: '0' })).toContain('SNAPSHOT_RETENTION: must keep at least 1 automatic snapshot per board')
    expect(refusal({ SNAPSHOT_RETENTION: '2.5' })).toContain('SNAPSHOT_RETENTION: must be a whole number of automatic snapshots to keep per board')
    expect(loadConfig({ SNAPSHOT_INTERVAL_MINUTES: '0', SNAPSHOT_RETENTION: '5' })).toMatchObject({ SNAPSHOT_INTERVAL_MINUTES: 0, SNAPSHOT_RETENTION: 5 })
  })
})
