/**
 * A board deletion refused by storage, on a real server and both dialects,
 * with members on the board through the stock WebsocketProvider: the board's
 * sockets close for good (4410) only once the deletion and its audit entry
 * are stored. Refused (a trigger of the test's own refusing the
 * `board-deleted` entry as a full disk would), the request gets an error
 * saying so, the member's socket stays open, what she wrote before is kept,
 * and her next edit is acknowledged (her teammate receives it, which the relay
 * sends only once it is committed) and stored. Once storage takes it, the
 * deletion closes her socket with 4410.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { addAssessment } from '../../shared/board-mutations.ts'
import { boardToModel } from '../../shared/board-convert.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { addAccount, addMember, sessionHeaders, signedInClient, signIn, type TestAccount } from '../helpers/accounts.ts'
import { refuseAuditEntries } from '../helpers/refused-writes.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { storedBoard } from '../helpers/stored-board.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes, connectClient, type TestClient } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'a board deletion refused by storage on %s', (dialect) => {
  let server: TestServer
  const clients: TestClient[] = []
  beforeEach(async () => {
    server = await startTestServer({ dialect, accounts: true, env: { SNAPSHOT_INTERVAL_MINUTES: '0' } })
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy()
    await server.destroy()
  })

  /** PostgreSQL's disk full is storage trouble (503); a SQLite trigger fails as a constraint (500). */
  const refusedStatus = dialect === 'postgres' ? 503 : 500

  it('leaves its members’ sockets open and their edits acknowledged and stored, and closes them for good once stored', async () => {
    const owner = await addAccount(server, { name: 'Oona Owner' })
    const editor = await addAccount(server, { name: 'Edda Editor' })
    const admin = await signedInClient(server, await addAccount(server, { name: 'Ada Admin', isAdmin: true }))
    const boardId = await (await signedInClient(server, owner)).createBoard('Doomed, perhaps')
    await addMember(server, boardId, editor, 'editor')
    const connect = async (account: TestAccount) => {
      const client = connectClient(server.wsUrl, boardId, {}, sessionHeaders(server, await signIn(server, account)))
      clients.push(client)
      return { client, closes: closeCodes(client) }
    }
    const member = await connect(editor)
    const teammate = await connect(owner)
    await Promise.all([member.client.synced(), teammate.client.synced()])
    const titlesSeenBy = (client: TestClient) => boardToModel(client.doc, boardId).assessments.map((assessment) => assessment.title)
    const storedTitles = async () => (await storedBoard(server, boardId)).assessments.map((assessment) => assessment.title)

    addAssessment(member.client.doc, { title: 'Written before' })
    await waitFor(() => titlesSeenBy(teammate.client).includes('Written before'), 'the first edit to be acknowledged')

    const allow = await refuseAuditEntries(server, 'board-deleted')
    const refused = await admin.delete<{ error: { message: string } }>(`/api/boards/${boardId}`)
    expect(refused.status).toBe(refusedStatus)
    expect(refused.body.error.message).not.toBe('')

    addAssessment(member.client.doc, { title: 'Written after the refusal' })
    await waitFor(() => titlesSeenBy(teammate.client).includes('Written after the refusal'), 'the edit after the refusal to be acknowledged')
    expect(await storedTitles()).toEqual(['Written before', 'Written after the refusal'])
    expect({ closes: member.closes, connected: member.client.provider.wsconnected }).toEqual({ closes: [], connected: true })
    await allow()

    expect((await admin.delete(`/api/boards/${boardId}`)).status).toBe(204)
    await waitFor(() => member.closes.includes(CLOSE.boardDeleted.code), 'the member’s socket to close with board deleted')
    expect(member.client.provider.shouldConnect).toBe(false)
  })
})
