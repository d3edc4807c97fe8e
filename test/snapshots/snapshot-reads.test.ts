/**
 * Reading a snapshot (its state for a read-only board view, its model) cost
 * the relay's thread the whole snapshot on every request: its state read from
 * the database there and copied, its model converted in a worker thread and
 * serialized there, with no bound a person could reach: a reviewer's loops
 * re-reading a 10 MB snapshot held an honest typist's round trip on another
 * board at 478 to 653 ms (p95). Now a snapshot's state and model are read once
 * for every reader while kept (within the history reads' cache), sent as
 * read, counted against the person's costly history reads (429 past them),
 * and answered 304 to a request naming their content hash. A gate in front of
 * the snapshots' stored states holds a read for as long as the test needs, and
 * counts the reads that reach the database. On SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import { assessmentText, collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import type { SnapshotSummary } from '../../shared/snapshot-model.ts'
import type { Storage } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { Gate } from '../helpers/gate.ts'
import { gateSnapshotStates } from '../helpers/snapshot-state-gate.ts'
import { wordsText } from '../helpers/large-inputs.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

type Answer = { status: number; headers: Headers; bytes: Buffer }

describeEachDialect(postgresMissing, 'snapshot reads on %s', (dialect) => {
  /** Held, every read of a snapshot's stored state waits as it begins. */
  const reading = new Gate()
  /** Reads of a snapshot's stored state that reached the database. */
  let stateReads = 0
  let server: TestServer
  const clients: TestClient[] = []

  afterEach(async () => {
    reading.release()
    stateReads = 0
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  const gated = (storage: Storage): Storage =>
    gateSnapshotStates(storage, async () => {
      stateReads++
      await reading.pass()
    })

  /** An owner's board of `claims` claims of 20,000 characters with a snapshot of it, read by a reviewer; the owner's second board, quiet. */
  async function team(claims: number, env: Record<string, string> = {}) {
    server = await startTestServer({ dialect, accounts: true, wrapStorage: gated, env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(2 ** 32), ...env } })
    const ownerAccount = await addAccount(server, { name: 'Olga Owner' })
    const ownerToken = (await addToken(server, ownerAccount)).token
    const owner = apiClient(server.url, { authorization: `Bearer ${ownerToken}` })
    const boardId = await owner.createBoard('Wagner mutiny — Vilnius')
    const quietId = await owner.createBoard('Grain corridor')
    const rita = await addAccount(server, { name: 'Rita Reviewer' })
    await addMember(server, boardId, rita, 'reviewer')
    const ritaToken = (await addToken(server, rita)).token
    const source = await owner.post<{ id: string }>(`/api/boards/${boardId}/sources`, { name: 'Telegram channel', kind: 'social', reliability: 'C' })
    for (let made = 0; made < claims; made += 100) {
      const operations = Array.from({ length: Math.min(100, claims - made) }, (_, i) => ({
        op: 'add',
        collection: 'claims',
        input: { text: wordsText(20_000, made + i), sourceId: source.body.id, credibility: 3 },
      }))
      expect((await owner.post(`/api/boards/${boardId}/batch`, { operations })).status).toBe(200)
    }
    const snapshot = await owner.post<SnapshotSummary>(`/api/boards/${boardId}/snapshots`, { label: 'Before the briefing' })
    expect(snapshot.status).toBe(201)
    // What the routes must send, read apart from them: the state as stored, and the model as the live board (unchanged since) answers it.
    const stored = await server.services.storage.snapshots.state(boardId, snapshot.body.id)
    const live = await read(`/api/boards/${boardId}`, ownerToken)
    expect(live.status).toBe(200)
    stateReads = 0
    const base = `/api/boards/${boardId}/snapshots/${snapshot.body.id}`
    return { owner, ownerAccount, ownerToken, ritaToken, rita, boardId, quietId, snapshot: snapshot.body, stored: Buffer.from(stored!), model: live.bytes, state: `${base}/state`, modelPath: base }
  }

  async function read(path: string, token: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: AbortSignal.timeout(60_000) })
    return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) }
  }

  function expectRefused(answer: Answer, codes = ['too_many_history_reads', 'too_many_in_flight', 'loading_too_much']): void {
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('5')
    expect(codes).toContain((JSON.parse(answer.bytes.toString()) as { error: { code: string } }).error.code)
  }

  it("refuses a reviewer's snapshot reads past their share, reads the snapshot once for every reader, sends it as stored, and relays an editor's typing on another board throughout", async () => {
    const t = await team(150)
    expect(t.stored.byteLength).toBeGreaterThan(2_000_000)

    // Held at the database: of twelve concurrent reads, the reviewer's share (two) is let in, the rest refused at once.
    reading.hold()
    const fired = Array.from({ length: 12 }, (_, i) => read(i % 2 === 0 ? t.state : t.modelPath, t.ritaToken))
    const settled: Answer[] = []
    for (const answer of fired) void answer.then((done) => settled.push(done))
    await waitFor(() => settled.length === 10, 'the reads past the share to be answered')
    for (const answer of settled) expectRefused(answer, ['too_many_history_reads'])
    // The two let in may be answered a refusal's moment before they reach the database.
    await waitFor(() => reading.waiting >= 1, 'a read let in to reach the database')
    reading.release()
    const served = (await Promise.all(fired)).filter((answer) => answer.status === 200)
    expect(served).toHaveLength(2)

    // An editor types on the owner's other board while the reviewer's loops re-read the snapshot.
    const editor: TestAccount = await addAccount(server, { name: 'Ed Editor' })
    await addMember(server, t.quietId, editor, 'editor')
    const editorToken = (await addToken(server, editor)).token
    const typist = connectClient(server.wsUrl, t.quietId, { token: editorToken })
    const watcher = connectClient(server.wsUrl, t.quietId, { token: t.ownerToken })
    clients.push(typist, watcher)
    await Promise.all([typist.synced(), watcher.synced()])
    const id = addAssessment(typist.doc, { title: 'Convoy turned back', judgment: '' })
    const typed = assessmentText(typist.doc, id, 'judgment')
    const seen = () => (collection(watcher.doc, 'assessments').has(id) ? assessmentText(watcher.doc, id, 'judgment').toString() : '')

    let typing = true
    const answers: Answer[] = []
    const loop = async (path: string) => {
      while (typing) answers.push(await read(path, t.ritaToken))
    }
    const loops = [t.state, t.modelPath, t.state, t.modelPath].map(loop)
    const keystrokes = 'The convoy turned back at Rostov, some 200 km short of Moscow.'
    for (const key of keystrokes) {
      typed.insert(typed.length, key)
      await waitFor(() => seen().length === typed.length, 'the keystroke to reach the other editor')
    }
    typing = false
    await Promise.all(loops)
    expect(seen()).toBe(keystrokes)

    // Every read the reviewer was served holds the snapshot exactly as before; any refused says when to try again.
    for (const answer of [...served, ...answers]) {
      if (answer.status !== 200) {
        expectRefused(answer)
        continue
      }
      expect(answer.headers.get('etag')).toBe(`"${t.snapshot.contentHash}"`)
      if (answer.headers.get('content-type') === 'application/octet-stream') expect(answer.bytes.equals(t.stored)).toBe(true)
      else expect(answer.bytes.equals(t.model)).toBe(true)
    }
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThan(0)
    // Read from the database once for the state and once for the model, however many answers it made.
    expect(stateReads).toBe(2)
  }, 120_000)

  it('answers a request naming the content hash with 304 and no body, reading nothing, and checks the right to read before serving what it keeps', async () => {
    const t = await team(1)
    const tag = `"${t.snapshot.contentHash}"`
    for (const path of [t.state, t.modelPath]) {
      const first = await read(path, t.ritaToken)
      expect(first.status).toBe(200)
      expect(first.headers.get('etag')).toBe(tag)
      for (const held of [tag, `W/${tag}`, `"0000", ${tag}`, '*']) {
        const again = await read(path, t.ritaToken, { 'if-none-match': held })
        expect(again.status).toBe(304)
        expect(again.bytes.byteLength).toBe(0)
        expect(again.headers.get('etag')).toBe(tag)
      }
      const other = await read(path, t.ritaToken, { 'if-none-match': '"0000"' })
      expect(other.status).toBe(200)
      expect(other.bytes.equals(first.bytes)).toBe(true)
    }
    expect(stateReads).toBe(2)

    // Removed from the board, the reviewer is refused what is kept, tag or no tag.
    expect((await t.owner.delete(`/api/boards/${t.boardId}/members/${t.rita.id}`)).status).toBe(204)
    for (const path of [t.state, t.modelPath]) {
      expect((await read(path, t.ritaToken)).status).toBe(404)
      expect((await read(path, t.ritaToken, { 'if-none-match': tag })).status).toBe(404)
    }
    // An unknown snapshot is not found, whatever the tag.
    expect((await read(`/api/boards/${t.boardId}/snapshots/nope/state`, t.ownerToken, { 'if-none-match': '*' })).status).toBe(404)
  }, 60_000)

  it("counts the bytes of the snapshots a person is sent against what they may load a minute, and refuses them past it while others are served", async () => {
    const t = await team(2, { LOADED_BYTES_PER_MINUTE_PER_PERSON: '65536' })
    expect(t.stored.byteLength).toBeGreaterThan(20_000)
    const sent: Answer[] = []
    while (sent.length < 12 && sent.at(-1)?.status !== 429) sent.push(await read(sent.length % 2 === 0 ? t.state : t.modelPath, t.ritaToken))
    const refused = sent.at(-1)!
    expectRefused(refused, ['loading_too_much'])
    // Refused after what a minute allows, give or take an answer's refill: not sooner.
    expect(sent.length).toBeGreaterThanOrEqual(3)
    expect(sent.slice(0, -1).every((answer) => answer.status === 200)).toBe(true)
    // Another person is served; the reviewer holding the snapshot is told so, for nothing.
    expect((await read(t.state, t.ownerToken)).bytes.equals(t.stored)).toBe(true)
    expect((await read(t.state, t.ritaToken, { 'if-none-match': `"${t.snapshot.contentHash}"` })).status).toBe(304)
  }, 60_000)
})
