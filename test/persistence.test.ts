import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { boardToModel } from '../shared/board-convert.ts'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment, addSource, updateAssessment } from '../shared/board-mutations.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { apiClient } from './helpers/api.ts'
import { startChildServer, type ChildServer } from './helpers/child-server.ts'
import { openAccess } from './helpers/open-access.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { startTestServer, tempDir, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'
import { connectClient, type TestClient } from './helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const clients: TestClient[] = []
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy()
})
const connect = (wsUrl: string, boardId: string) => {
  const client = connectClient(wsUrl, boardId)
  clients.push(client)
  return client
}

describeEachDialect(postgresMissing, 'persistence on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  /**
   * The board's first card tagged `tag`, once the server has stored it: an
   * edit made only then is committed in a batch of its own, so the log takes
   * a row for each (a batch's edits of one person share a row: batch-rows.ts).
   */
  const tagStored = (boardId: string, tag: string) =>
    waitFor(async () => (await apiClient(server.url).get<BoardModel>(`/api/boards/${boardId}`)).body.assessments[0]?.tags[0] === tag, `${tag} stored`)

  it('keeps every update across a restart', async () => {
    server = await startTestServer({ dialect, access: () => openAccess() })
    const boardId = await apiClient(server.url).createBoard('Restart')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Survives', judgment: 'Typed ' })
    for (let i = 0; i < 50; i++) assessmentText(writer.doc, id, 'judgment').insert(6 + i, String(i % 10))
    addSource(writer.doc, { name: 'NATO', reliability: 'B' })
    const expected = boardToModel(writer.doc, boardId)
    await waitFor(async () => {
      const stored = await apiClient(server.url).get<BoardModel>(`/api/boards/${boardId}`)
      return JSON.stringify(stored.body) === JSON.stringify(expected)
    }, 'the server to hold every edit')
    writer.destroy()
    server = await server.restart()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId)).toEqual(expected)
  })

  it('compaction keeps the content identical and shrinks the log', async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), compactAfterRows: 1_000_000 })
    const boardId = await apiClient(server.url).createBoard('Compaction')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Counter' })
    for (let i = 0; i < 120; i++) {
      updateAssessment(writer.doc, id, { tags: [`t${i}`] })
      // One update per commit, so the server logs many rows.
      await tagStored(boardId, `t${i}`)
    }
    const expected = boardToModel(writer.doc, boardId)
    const log = server.services.storage.log
    const before = await log.count(boardId)
    expect(before).toBeGreaterThan(10)
    await server.services.compaction.compact(boardId)
    expect(await log.count(boardId)).toBe(0)
    const stored = await log.load(boardId)
    expect(stored.checkpoint).not.toBeNull()
    expect(stored.updates).toHaveLength(0)
    writer.destroy()
    server = await server.restart()
    const reader = connect(server.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId)).toEqual(expected)
    // Edits after the checkpoint go to the log again and load on top of it.
    updateAssessment(reader.doc, id, { status: 'final' })
    await waitFor(async () => (await server.services.storage.log.count(boardId)) === 1, 'the new edit in the log')
  })

  it('compacts on its own once the log passes the threshold', async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), compactAfterRows: 20 })
    const boardId = await apiClient(server.url).createBoard('Auto compaction')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const id = addAssessment(writer.doc, { title: 'Counter' })
    for (let i = 0; i < 60; i++) {
      updateAssessment(writer.doc, id, { tags: [`t${i}`] })
      await tagStored(boardId, `t${i}`)
    }
    await waitFor(async () => (await server.services.storage.log.load(boardId)).checkpoint !== null, 'a checkpoint')
    // Rows committed while a merge runs (in a worker thread) are folded by the compaction the next commit starts.
    updateAssessment(writer.doc, id, { tags: ['last'] })
    await waitFor(async () => (await server.services.storage.log.count(boardId)) < 40, 'the rows written during the first compaction to be folded too')
  })

  it('waits for one row per 2 KiB of checkpoint before folding a larger board again', async () => {
    server = await startTestServer({ dialect, access: () => openAccess(), compactAfterRows: 20 })
    const { storage, compaction } = server.services
    const boardId = await apiClient(server.url).createBoard('Long judgments')
    const writer = connect(server.wsUrl, boardId)
    await writer.synced()
    const ids = Array.from({ length: 16 }, (_, i) => addAssessment(writer.doc, { title: `Card ${i}`, judgment: `${i} `.repeat(5_000) }))
    await waitFor(async () => (await apiClient(server.url).get<BoardModel>(`/api/boards/${boardId}`)).body.assessments.length === ids.length, 'the cards stored')
    await compaction.compact(boardId)
    const [folded] = await storage.history.checkpoints(boardId)
    const due = Math.ceil(folded!.bytes / 2048)
    // Well past the 20 rows a small board waits for.
    expect(due).toBeGreaterThan(60)

    const checkpoints = async () => (await storage.history.checkpoints(boardId)).sort((a, b) => a.throughSeq - b.throughSeq)
    const deadline = Date.now() + 20_000
    for (let edit = 0; (await checkpoints()).length < 2; edit++) {
      if (Date.now() > deadline) throw new Error(`no compaction after ${edit} edits`)
      updateAssessment(writer.doc, ids[0]!, { tags: [`t${edit}`] })
      await new Promise((resolve) => setImmediate(resolve))
    }
    const [first, second] = await checkpoints()
    expect(second!.throughSeq - first!.throughSeq).toBeGreaterThanOrEqual(due)
  })
})

describe('crash safety', () => {
  let child: ChildServer | undefined
  let dataDir: string | undefined
  afterEach(async () => {
    await child?.kill()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('loses nothing a client saw echoed when the server is killed with SIGKILL', async () => {
    dataDir = tempDir()
    child = await startChildServer(dataDir)
    const boardId = await apiClient(child.url).createBoard('Crash')
    const writer = connect(child.wsUrl, boardId)
    const observer = connect(child.wsUrl, boardId)
    await Promise.all([writer.synced(), observer.synced()])
    const id = addAssessment(writer.doc, { title: 'Crash', judgment: '' })
    const count = 500
    for (let i = 0; i < count; i++) {
      assessmentText(writer.doc, id, 'judgment').insert(i, String(i % 10))
      if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    // The server relays an update only after committing it: what the observer has, the server stored.
    await waitFor(() => {
      const text = boardToModel(observer.doc, boardId).assessments[0]?.judgment
      return text?.length === count
    }, 'every keystroke at the observer')
    const seen = boardToModel(observer.doc, boardId)
    const killedUrl = child.url
    await child.kill('SIGKILL')
    // The server process itself is gone, not a wrapper around it.
    await expect(fetch(`${killedUrl}/healthz`)).rejects.toThrow()
    writer.destroy()
    observer.destroy()
    child = await startChildServer(dataDir)
    const reader = connect(child.wsUrl, boardId)
    await reader.synced()
    expect(boardToModel(reader.doc, boardId)).toEqual(seen)
    expect(boardToModel(reader.doc, boardId).assessments[0]?.judgment).toHaveLength(count)
  })
})
