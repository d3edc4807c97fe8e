/**
 * The answer to a change's COMMIT lost: the database commits it and the
 * connection drops before the server hears so. One instance on PostgreSQL
 * without Redis (no word from anywhere else, no periodic re-check of rights),
 * reaching its database through a TCP proxy of the test's own that loses that
 * answer. The server asks the database what became of the transaction, and
 * answers as it was: a member's removal closes their socket and stops their
 * edits; a board made once is answered as made, not refused and made again
 * by a retry; a card added over HTTP is stored once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { withStoredDoc } from '../helpers/stored-board.ts'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts'
import { createMigratedDatabase, databaseUrl, dropDatabase, freshDatabaseName, startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, closeCodes } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

describeUnless(postgresMissing)('the answer to a COMMIT lost, on one instance without Redis', () => {
  let database: string
  let proxy: TcpProxy
  let server: TestServer
  let owner: TestAccount
  let asOwner: ApiClient

  beforeEach(async () => {
    database = freshDatabaseName()
    await createMigratedDatabase(database)
    const target = new URL(databaseUrl(database))
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) })
    target.port = String(proxy.port)
    server = await startTestServer({ dialect: 'postgres', database, accounts: true, env: { DATABASE_URL: target.toString() } })
    owner = await addAccount(server)
    asOwner = apiClient(() => server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  })

  afterEach(async () => {
    await server.destroy()
    await proxy.close()
    await dropDatabase(database)
  })

  const connect = clientsDestroyedAfterEach()
  /** The next transaction that sends `marker` (a value it writes) commits, and its COMMIT's answer never reaches the server. */
  const loseCommitAnswerOf = (marker: string) => proxy.loseAnswer(new RegExp(marker), /COMMIT\0/)
  const storedTitles = (boardId: string) =>
    withStoredDoc(server, boardId, (doc) => [...collection(doc, 'assessments').values()].map((card) => String((card as Y.Map<unknown>).get('title'))))

  it('a member removed as the answer is lost: answered removed, their socket closes 4001, and what they type next is not stored', async () => {
    const bob = await addAccount(server)
    const boardId = await asOwner.createBoard('Removal, the answer lost')
    await addMember(server, boardId, bob, 'editor')
    const socket = connect(server.wsUrl, boardId, { token: (await addToken(server, bob)).token })
    await socket.synced()
    const closes = closeCodes(socket)
    const lost = loseCommitAnswerOf('member-removed')
    const removal = await asOwner.delete(`/api/boards/${boardId}/members/${bob.id}`)
    await lost
    expect(removal.status).toBe(204)
    expect(await server.services.storage.members.role(boardId, bob.id)).toBeUndefined()
    await waitFor(() => closes[0] === CLOSE.accessChanged.code, 'Bob’s socket to close')
    // His provider reconnects and is refused; what he types meanwhile goes nowhere.
    addAssessment(socket.doc, { title: 'Typed after the removal', judgment: '' })
    await waitFor(() => closes.length >= 3, 'two of Bob’s reconnections to be refused')
    expect(socket.provider.wsconnected).toBe(false)
    expect(await storedTitles(boardId)).not.toContain('Typed after the removal')
    expect((await asOwner.delete(`/api/boards/${boardId}/members/${bob.id}`)).status).toBe(404)
  })

  it('a board created as the answer is lost: answered 201 with the board, stored once', async () => {
    const lost = loseCommitAnswerOf('board-created')
    const created = await asOwner.post<{ id: string; title: string }>('/api/boards', { title: 'Made once' })
    await lost
    expect(created.status).toBe(201)
    expect(created.body.title).toBe('Made once')
    const boards = (await server.services.storage.boards.list()).filter((board) => board.title === 'Made once')
    expect(boards.map((board) => board.id)).toEqual([created.body.id])
    expect((await asOwner.get(`/api/boards/${created.body.id}`)).status).toBe(200)
  })

  it('a card added over HTTP as the answer is lost: answered 201, and its change is stored in one log row', async () => {
    const boardId = await asOwner.createBoard('A card, the answer lost')
    const rowsBefore = await server.services.storage.log.count(boardId)
    const lost = loseCommitAnswerOf(Buffer.from('Added once').toString('hex'))
    const added = await asOwner.post(`/api/boards/${boardId}/assessments`, { title: 'Added once' })
    await lost
    expect(added.status).toBe(201)
    expect(await storedTitles(boardId)).toEqual(['Added once'])
    expect((await server.services.storage.log.count(boardId)) - rowsBefore).toBe(1)
  })
})
