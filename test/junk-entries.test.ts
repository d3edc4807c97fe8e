/**
 * A board whose collections hold values that are not entities (a number, a
 * text, an array where an entity's map belongs), or entities that are not
 * valid, as an editor's websocket could once store them: every reader takes
 * them as absent. Before, the owner's every read of such a board (its model,
 * exports, checks, a snapshot, even restoring one taken before) answered 500,
 * after a restart too. On SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection, COLLECTIONS } from '../shared/board-doc.ts'
import type { BoardListing } from '../shared/board-listing.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { EXPORT_FORMATS } from '../shared/export-formats.ts'
import type { RestoreResult, SnapshotSummary } from '../shared/snapshot-model.ts'
import { addAccount, addMember, addToken, type TestAccount } from './helpers/accounts.ts'
import { apiClient, type ApiClient } from './helpers/api.ts'
import { describeEachDialect, missingServices } from './helpers/services.ts'
import { storeChange, withStoredDoc } from './helpers/stored-board.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { waitFor } from './helpers/wait-for.ts'

const postgresMissing = await missingServices('postgres')

const JUNK = 'Evil junk'

describeEachDialect(postgresMissing, 'a board holding what is no entity, on %s', (dialect) => {
  let server: TestServer
  let owner: TestAccount
  let editor: TestAccount
  let headers: Record<string, string>
  let api: ApiClient
  let boardId: string

  beforeEach(async () => {
    server = await startTestServer({ dialect, accounts: true })
    owner = await addAccount(server, { name: 'Olivia Owner' })
    editor = await addAccount(server, { name: 'Ed Editor' })
    headers = { authorization: `Bearer ${(await addToken(server, owner)).token}` }
    api = apiClient(() => server.url, headers)
    boardId = await api.createBoard('Junk on the board')
    await addMember(server, boardId, editor, 'editor')
  })
  afterEach(async () => {
    await server.destroy()
  })

  const base = () => `/api/boards/${boardId}`
  const model = async () => {
    const answer = await api.get<BoardModel>(base())
    expect(answer.status).toBe(200)
    return answer.body
  }
  const storedIds = (name: (typeof COLLECTIONS)[number]) => withStoredDoc(server, boardId, (doc) => [...collection(doc, name).keys()].sort())

  it('reads it as absent everywhere, and a restore takes it off the board', async () => {
    const source = await api.post<{ id: string }>(`${base()}/sources`, { name: 'NATO', reliability: 'B' })
    const claim = await api.post<{ id: string }>(`${base()}/claims`, { text: 'Convoys were seen near Grodno.', sourceId: source.body.id })
    const card = await api.post<{ id: string }>(`${base()}/assessments`, { title: 'A build-up is under way', kind: 'key-judgment' })
    expect((await api.post(`${base()}/links`, { assessmentId: card.body.id, claimId: claim.body.id, rating: 'C' })).status).toBe(201)
    const before = await api.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'Before the junk' })
    expect(before.status).toBe(201)
    const clean = await model()

    // Stored while no room holds the board, as the relay stored what an editor sent.
    server = await server.restart()
    await storeChange(server, boardId, `ws:${editor.id}`, (doc) => {
      for (const name of COLLECTIONS) {
        const entries = collection(doc, name) as Y.Map<unknown>
        entries.set('junk-number', 42)
        entries.set('junk-text', new Y.Text(JUNK))
        entries.set('junk-array', Y.Array.from([JUNK]))
      }
      const wrongTypes = new Y.Map<unknown>()
      for (const [key, value] of Object.entries({ id: 'junk-source', name: 7, kind: JUNK, reliability: 'B', createdAt: { not: 'a time' } })) wrongTypes.set(key, value)
      collection(doc, 'sources').set('junk-source', wrongTypes)
      const toNowhere = new Y.Map<unknown>()
      for (const [key, value] of Object.entries({ id: 'junk-link', assessmentId: 'junk-number', claimId: claim.body.id, rating: 'I', note: JUNK, createdAt: new Date().toISOString() })) toNowhere.set(key, value)
      collection(doc, 'links').set('junk-link', toNowhere)
    })
    expect(await storedIds('assessments')).toContain('junk-number')

    expect(await model()).toEqual(clean)
    for (const format of EXPORT_FORMATS) {
      const exported = await fetch(`${server.url}${base()}/export?format=${format}`, { headers })
      expect(exported.status, format).toBe(200)
      if (['json', 'md', 'html', 'csv', 'stix'].includes(format)) expect(await exported.text(), format).not.toContain(JUNK)
    }
    expect((await api.get(`${base()}/checks`)).status).toBe(200)
    expect((await api.get(`${base()}/history/changes`)).status).toBe(200)
    const named = await api.post<SnapshotSummary>(`${base()}/snapshots`, { label: 'With the junk' })
    expect(named.status).toBe(201)
    expect(named.body.contentHash).toBe(before.body.contentHash)
    // An entry that is no entity is absent to HTTP as to every reader: there is nothing there to delete.
    expect((await api.delete(`${base()}/assessments/junk-number`)).status).toBe(404)

    const added = await api.post<{ id: string }>(`${base()}/assessments`, { title: 'A second card' })
    expect(added.status).toBe(201)
    await waitFor(async () => {
      const listed = (await api.get<BoardListing[]>('/api/boards')).body.find((board) => board.id === boardId)
      return listed?.assessmentCount === 2 && listed.claimCount === 1
    }, 'the board list to count the two cards and the claim, and nothing else')

    const restored = await api.post<RestoreResult>(`${base()}/snapshots/${before.body.id}/restore`)
    expect(restored.status).toBe(200)
    expect(restored.body.changed).toBe(true)
    expect(await model()).toEqual(clean)
    for (const name of COLLECTIONS) {
      const ids = clean[name].map((item) => item.id).sort()
      await waitFor(async () => JSON.stringify(await storedIds(name)) === JSON.stringify(ids), `the stored ${name} to be the snapshot's, without the junk`)
    }
  })
})
