/**
 * Each import and restore writes under a client id of its own (the worker's
 * copy of the board's), stored as the server's and never dropped, so it grows
 * every state vector of the board for good. Only the byte allowances bounded
 * them: an editor's tiny imports added some 500 in 70 s (red team 32b). Each
 * now counts against its person's NEW_CLIENTS_PER_HOUR, the allowance their
 * pages' new ids spend: past it, refused `429` with `Retry-After`, no id
 * added. The person's pages are taken to have brought all but a few of the
 * hour's ids already (counted in the server's own allowance, as the relay
 * counts a page's), so that the test imports a handful rather than hundreds.
 */
import { expect, it } from 'vitest'
import { NEW_CLIENTS_PER_HOUR } from '../../server/relay/client-writers.ts'
import { SERVER_WRITER } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { openedInTest } from '../helpers/opened-in-test.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const opened = openedInTest()

/** The new client ids left in the person's hour once their pages have brought the rest. */
const LEFT = 2

type ErrorBody = { error: { code: string } }

/** All but `LEFT` of the hour's new client ids spent by the person's pages, as the relay counts them. */
const pagesBroughtAllBut = async (server: TestServer, person: TestAccount) => {
  expect(await server.services.allowances.newClients.takeFor(person.id, NEW_CLIENTS_PER_HOUR - LEFT)).toBe(true)
}

const serverIds = async (server: TestServer, boardId: string) => (await server.services.storage.log.writers(boardId)).filter((writer) => writer.userId === SERVER_WRITER).length

it("refuses an editor's import past her hour's new client ids with 429, adding no id; one that adds nothing spends none", async () => {
  const server = (opened.server = await startTestServer({ accounts: true }))
  const [owner, editor] = [await addAccount(server, { name: 'Olga' }), await addAccount(server, { name: 'Mallory' })]
  const ownerApi = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const editorApi = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, editor)).token}` })
  const boardId = await ownerApi.createBoard('Whose ids')
  await addMember(server, boardId, editor, 'editor')
  const importing = (n: number) => editorApi.post<{ outcome: string } & ErrorBody>(`/api/boards/${boardId}/import`, { text: `Convoy ${n} left at dawn. [citation: Source ${n}]` })
  await pagesBroughtAllBut(server, editor)
  const before = await serverIds(server, boardId)

  expect((await importing(1)).body.outcome).toBe('import')
  // The same document again adds nothing and writes under no id: it is given back.
  expect((await importing(1)).body.outcome).toBe('already-imported')
  // A preview changes nothing: not counted.
  expect((await editorApi.post(`/api/boards/${boardId}/import`, { text: 'Convoy 9 left. [citation: Source 9]', preview: true })).status).toBe(200)
  expect((await importing(2)).body.outcome).toBe('import')
  const refused = await importing(3)
  expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } })
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  expect(await serverIds(server, boardId)).toBe(before + LEFT)
  // Another editor's imports are theirs to count.
  expect((await ownerApi.post<{ outcome: string }>(`/api/boards/${boardId}/import`, { text: 'Convoy 3 left at dawn. [citation: Source 3]' })).body.outcome).toBe('import')
}, 60_000)

it("refuses an owner's restore past her hour's new client ids with 429, leaving the board as it was", async () => {
  const server = (opened.server = await startTestServer({ accounts: true }))
  const owner = await addAccount(server, { name: 'Olga' })
  const ownerApi = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, owner)).token}` })
  const boardId = await ownerApi.createBoard('Whose ids')
  const snapshotId = (await ownerApi.post<{ id: string }>(`/api/boards/${boardId}/snapshots`, { label: 'Empty' })).body.id
  const restoring = async () => {
    expect((await ownerApi.post(`/api/boards/${boardId}/assessments`, { title: 'Added after' })).status).toBe(201)
    return ownerApi.post<{ changed: boolean } & ErrorBody>(`/api/boards/${boardId}/snapshots/${snapshotId}/restore`)
  }
  await pagesBroughtAllBut(server, owner)

  for (let n = 0; n < LEFT; n++) expect((await restoring()).body.changed).toBe(true)
  const refused = await restoring()
  expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } })
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
  const board = await ownerApi.get<{ assessments: { title: string }[] }>(`/api/boards/${boardId}`)
  expect(board.body.assessments.map((card) => card.title)).toEqual(['Added after'])
}, 60_000)
