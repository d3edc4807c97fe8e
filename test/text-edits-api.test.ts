/**
 * A text changed over HTTP (an assessment's title and judgment, the board's
 * BLUF, a batch's update) is stored as sent, character for character, and
 * every connected replica reads it so. Only the changed middle of a shared
 * text is replaced, and from one emoji to another that shares a UTF-16 unit
 * with it that middle once began inside the pair: Yjs made both halves U+FFFD.
 */
import { describe, expect, it } from 'vitest'
import { blufText, requireEntity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'

describe('texts changed over HTTP', () => {
  const given = useOwnedBoard({ owner: 'Emma Emoji', board: 'Emoji' })
  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body

  it('are stored as sent when one emoji replaces another, by PATCH and by batch', async () => {
    const path = `/api/boards/${given.boardId}`
    const created = await given.api.post<{ id: string }>(`${path}/assessments`, { title: 'Card 😀', judgment: 'We judge 😀 likely.' })
    const other = await given.api.post<{ id: string }>(`${path}/assessments`, { title: '😀😀 other', judgment: '🈀' })
    expect((await given.api.patch(path, { bluf: 'BLUF 😀' })).status).toBe(200)
    const client = await given.connectAs(given.owner)

    // 😀 U+1F600 and 😁 U+1F601 share their first unit; 😀 and 🈀 U+1F200 their second.
    const patched = await given.api.patch<{ title: string; judgment: string }>(`${path}/assessments/${created.body.id}`, { title: 'Card 😁', judgment: 'We judge 😁 likely.' })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ title: 'Card 😁', judgment: 'We judge 😁 likely.' })
    expect((await given.api.patch(path, { bluf: 'BLUF 😁' })).status).toBe(200)
    const batch = await given.api.post(`${path}/batch`, {
      operations: [{ op: 'update', collection: 'assessments', id: other.body.id, patch: { title: '😁😀 other', judgment: '😀' } }],
    })
    expect(batch.status).toBe(200)

    const model = await board()
    expect(model.bluf).toBe('BLUF 😁')
    expect(model.assessments.map(({ title, judgment }) => ({ title, judgment }))).toEqual([
      { title: 'Card 😁', judgment: 'We judge 😁 likely.' },
      { title: '😁😀 other', judgment: '😀' },
    ])
    const seen = () => String(requireEntity(client.doc, 'assessments', other.body.id).get('title'))
    await waitFor(() => seen() === '😁😀 other', 'the connected client to see the batch')
    expect(String(requireEntity(client.doc, 'assessments', created.body.id).get('title'))).toBe('Card 😁')
    expect(blufText(client.doc).toString()).toBe('BLUF 😁')
  })
})
