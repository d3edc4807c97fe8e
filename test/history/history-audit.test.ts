/**
 * Reading a board's history is audited once per person, board and read every
 * ten minutes: a reviewer who read the sessions a thousand times pushed their
 * own export out of the audit log's view, which shows the newest thousand
 * entries.
 */
import { expect, it } from 'vitest'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'

type AuditEntry = { action: string; actorId: string; detail: { read?: string; asOf?: string } }

const given = useOwnedBoard({ owner: 'Audra Auditor', board: 'Read again and again' })

it('writes one entry for a read repeated, one per moment read, and keeps the reader’s other entries in view', async () => {
  const reviewer = await addAccount(given.server, { name: 'Rex Reader' })
  await addMember(given.server, given.boardId, reviewer, 'reviewer')
  const asReviewer = apiClient(given.server.url, { authorization: `Bearer ${(await addToken(given.server, reviewer)).token}` })
  const board = `/api/boards/${given.boardId}`
  expect((await asReviewer.get(`${board}/export?format=json`)).status).toBe(200)
  for (let i = 0; i < 40; i++) expect((await asReviewer.get(`${board}/history`)).status).toBe(200)
  const before = new Date().toISOString()
  expect((await given.api.patch(board, { title: 'Read again, and retitled' })).status).toBe(200)
  const moments = [before, new Date().toISOString()]
  for (const moment of [...moments, ...moments]) expect((await asReviewer.get(`${board}?asOf=${encodeURIComponent(moment)}`)).status).toBe(200)

  const audit = await given.api.get<AuditEntry[]>(`${board}/audit`)
  const byReviewer = audit.body.filter((entry) => entry.actorId === reviewer.id)
  expect(byReviewer.filter((entry) => entry.action === 'history-viewed').map((entry) => entry.detail.read).sort()).toEqual(['as-of', 'as-of', 'sessions'])
  expect(byReviewer.filter((entry) => entry.action === 'export')).toHaveLength(1)
})
