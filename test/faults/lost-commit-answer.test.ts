/**
 * The answer to a change's COMMIT lost: the database commits it and the
 * connection drops before the server hears so. One instance on PostgreSQL
 * without Redis (no word from anywhere else, no periodic re-check of rights),
 * reaching its database through a TCP proxy of the test's own that loses that
 * answer. The server asks the database what became of the transaction, and
 * answers as it was: a member's removal closes their socket and stops their
 * edits; a board made once is answered as made, not refused and made again
 * by a retry; a card added over HTTP is stored once; a read is answered.
 * A batch of the relay's whose outcome cannot be learned is retried, and
 * stored once all the same: its edits count once in the board's history.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText, collection } from '../../shared/board-doc.ts'
import { addAssessment } from '../../shared/board-mutations.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient, type ApiClient } from '../helpers/api.ts'
import { describeUnless, missingServices } from '../helpers/services.ts'
import { withStoredDoc } from '../helpers/stored-board.ts'
import { startProxiedServer, type ProxiedServer } from '../helpers/proxied-server.ts'
import type { TcpProxy } from '../helpers/tcp-proxy.ts'
import type { TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { clientsDestroyedAfterEach, closeCodes } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

/** Short deadlines, so that a database cut off is given up on (and a COMMIT's outcome with it) in a second or two. */
const TIMEOUTS = { DATABASE_STATEMENT_TIMEOUT_MS: '1500', DATABASE_CONNECT_TIMEOUT_MS: '1000' }

describeUnless(postgresMissing)('the answer to a COMMIT lost, on one instance without Redis', () => {
  let proxied: ProxiedServer
  let proxy: TcpProxy
  let server: TestServer
  let owner: TestAccount
  let asOwner: ApiClient

  beforeEach(async () => {
    proxied = await startProxiedServer({ accounts: true, env: TIMEOUTS })
    ;({ proxy, server } = proxied)
    owner = await addAccount(server)
    asOwner = apiClient(() => server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  })

  afterEach(() => proxied.destroy())

  const connect = clientsDestroyedAfterEach()
  /** The next transaction that sends `marker` (a value it writes) commits, and its COMMIT's answer never reaches the server. */
  const loseCommitAnswerOf = (marker: string) => proxy.loseAnswer(new RegExp(marker), /COMMIT\0/)
  const storedTitles = (boardId: string) =>
    withStoredDoc(server, boardId, (doc) => [...collection(doc, 'assessments').values()].map((card) => String((card as Y.Map<unknown>).get('title'))))

  /** Bob, an editor of a new board of the owner's, his socket on it synced. */
  const editorOnBoard = async (title: string) => {
    const bob = await addAccount(server)
    const boardId = await asOwner.createBoard(title)
    await addMember(server, boardId, bob, 'editor')
    const socket = connect(server.wsUrl, boardId, { token: (await addToken(server, bob)).token })
    await socket.synced()
    return { bob, boardId, socket, closes: closeCodes(socket) }
  }

  it('a member removed as the answer is lost: answered removed, their socket closes 4001, and what they type next is not stored', async () => {
    const { bob, boardId, socket, closes } = await editorOnBoard('Removal, the answer lost')
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

  it('a member removed as the answer is lost and the database then cut off: answered outcome_unknown, and their socket closes 4001 all the same', async () => {
    const { bob, boardId, closes } = await editorOnBoard('Removal, the outcome unknown')
    // Cut before the server can notice its connection gone, let alone ask what became of the COMMIT.
    const lost = loseCommitAnswerOf('member-removed').then(() => proxy.cut())
    const removal = await asOwner.delete<{ error: { code: string } }>(`/api/boards/${boardId}/members/${bob.id}`)
    await lost
    expect(removal.status).toBe(503)
    expect(removal.body.error.code).toBe('outcome_unknown')
    await waitFor(() => closes[0] === CLOSE.accessChanged.code, 'Bob’s socket to close')
    proxy.restore()
    // Reloaded before any retry, as the answer asks: the removal was made.
    await waitFor(async () => (await asOwner.get(`/api/boards/${boardId}/members`)).status === 200, 'the server to read its database again')
    const members = await asOwner.get<{ userId: string }[]>(`/api/boards/${boardId}/members`)
    expect(members.body.map((member) => member.userId)).toEqual([owner.id])
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

  /**
   * Bob writes a card's judgment over his socket as the answer to the
   * relay's COMMIT of it is lost; with `cutOff`, the database is cut off at
   * once, so the relay cannot learn that the batch committed, takes it for
   * failed, and retries it once the database is back.
   */
  async function judgedAsTheAnswerIsLost(cutOff: boolean) {
    const { bob, boardId, socket } = await editorOnBoard('A batch of the relay, the answer lost')
    const added = await asOwner.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Judged by Bob' })
    const cardId = added.body.id
    await waitFor(() => collection(socket.doc, 'assessments').has(cardId), 'Bob to have the card')
    const room = server.services.rooms.loadedRooms.get(boardId)!
    const lost = loseCommitAnswerOf(Buffer.from('Judged once').toString('hex')).then(() => (cutOff ? proxy.cut() : undefined))
    assessmentText(socket.doc, cardId, 'judgment').insert(0, 'Judged once')
    await lost
    if (cutOff) {
      await waitFor(() => room.commitFailingSince !== null, 'the relay to keep its batch for a retry')
      proxy.restore()
    }
    await waitFor(() => room.commitFailingSince === null && room.isSaved, 'the batch to be committed')
    return { bob, boardId, cardId }
  }

  /** The batch in one log row, and Bob's one edit counted once in the sessions and the changes of the board's history. */
  async function expectStoredOnce({ bob, boardId, cardId }: { bob: TestAccount; boardId: string; cardId: string }) {
    const { updates } = await server.services.storage.log.load(boardId)
    expect(updates.filter((update) => Buffer.from(update).includes('Judged once')).length).toBe(1)
    const judgments = await withStoredDoc(server, boardId, (doc) => assessmentText(doc, cardId, 'judgment').toString())
    expect(judgments).toBe('Judged once')
    // Once the server has found its database back, as after any outage.
    const history = await waitFor(async () => {
      const read = await asOwner.get<{ sessions: { by: { userId: string | null }; edits: number }[] }>(`/api/boards/${boardId}/history`)
      return read.status === 200 ? read : null
    }, 'the server to read the history again')
    expect(history.body.sessions.filter((session) => session.by.userId === bob.id).map((session) => session.edits)).toEqual([1])
    const changes = await asOwner.get<{ by: { userId: string | null }; field: string }[]>(`/api/boards/${boardId}/history/changes?assessmentId=${cardId}`)
    expect(changes.status).toBe(200)
    expect(changes.body.filter((change) => change.by.userId === bob.id).map((change) => change.field)).toEqual(['judgment'])
  }

  it('a relay’s batch whose answer is lost and whose outcome cannot be learned: retried once the database is back, stored once, counted once in the history', async () => {
    await expectStoredOnce(await judgedAsTheAnswerIsLost(true))
  })

  it('a relay’s batch whose answer is lost, its outcome learned: taken as committed, stored once, counted once in the history', async () => {
    await expectStoredOnce(await judgedAsTheAnswerIsLost(false))
  })

  it('a read whose COMMIT’s answer is lost: answered with what it read', async () => {
    const boardId = await asOwner.createBoard('A read, the answer lost')
    expect((await asOwner.post(`/api/boards/${boardId}/assessments`, { title: 'Read back' })).status).toBe(201)
    const lost = proxy.loseAnswer(/repeatable read/, /COMMIT\0/)
    const history = await asOwner.get<{ sessions: unknown[] }>(`/api/boards/${boardId}/history`)
    await lost
    expect(history.status).toBe(200)
    expect(history.body.sessions.length).toBeGreaterThan(0)
  })
})
