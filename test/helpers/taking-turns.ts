/**
 * Two accounts, Ana (the board's owner) and Ben (an editor), taking turns at
 * one card over the websocket, and what the history records of it: the
 * recorded changes' bytes against the bytes of the updates they sent.
 */
import { expect } from 'vitest'
import type { AttributedField } from '../../shared/history-model.ts'
import type { Dialect, StoredChange } from '../../server/storage/storage.ts'
import { addAccount, addMember, addToken, type TestAccount } from './accounts.ts'
import { apiClient, type ApiClient } from './api.ts'
import { startTestServer, type TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'
import { connectClient, type TestClient } from './yjs-client.ts'

export type TakingTurns = {
  server: TestServer
  boardId: string
  ana: TestAccount
  ben: TestAccount
  /** The API as the account, by its token. */
  as: (account: TestAccount) => ApiClient
  /** A writer over the websocket once `ready` holds of its document, and the bytes of the updates it sends from then on. */
  join: (account: TestAccount, ready: (client: TestClient) => boolean) => Promise<{ client: TestClient; sent: { bytes: number } }>
  /** The card's recorded changes of `field` once every row is compacted, and the bytes of their values as stored. */
  recorded: (assessmentId: string, field: AttributedField) => Promise<{ changes: StoredChange[]; bytes: number }>
  /** Closes the writers and the server. */
  destroy: () => Promise<void>
}

export async function takingTurns(dialect: Dialect, title: string): Promise<TakingTurns> {
  const server = await startTestServer({ dialect, accounts: true, compactAfterRows: 1_000_000 })
  const clients: TestClient[] = []
  const ana = await addAccount(server, { name: 'Ana' })
  const ben = await addAccount(server, { name: 'Ben' })
  const tokens = new Map<TestAccount, string>()
  for (const account of [ana, ben]) tokens.set(account, (await addToken(server, account)).token)
  const as = (account: TestAccount) => apiClient(server.url, { authorization: `Bearer ${tokens.get(account)}` })
  const boardId = await as(ana).createBoard(title)
  await addMember(server, boardId, ben, 'editor')
  return {
    server,
    boardId,
    ana,
    ben,
    as,
    async join(account, ready) {
      const client = connectClient(server.wsUrl, boardId, { token: tokens.get(account)! })
      clients.push(client)
      await client.synced()
      await waitFor(() => ready(client), 'the card to reach the writer', 30_000)
      const sent = { bytes: 0 }
      client.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== client.provider) sent.bytes += update.byteLength
      })
      return { client, sent }
    },
    async recorded(assessmentId, field) {
      await server.services.compaction.compact(boardId)
      expect(await server.services.storage.log.count(boardId)).toBe(0)
      const changes = (await server.services.storage.history.changes(boardId, { assessmentId, limit: 100_000 })).filter((change) => change.field === field)
      const bytes = changes.reduce((sum, change) => sum + Buffer.byteLength(change.fromValue) + Buffer.byteLength(change.toValue), 0)
      return { changes, bytes }
    },
    async destroy() {
      for (const client of clients.splice(0)) client.destroy()
      await server.destroy()
    },
  }
}
