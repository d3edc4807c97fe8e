/**
 * The batch endpoint: many changes in one request, applied as one commit (one
 * row of the update log, one update at a connected client), all of them or
 * none, each operation validated as its single route would be, with errors
 * that name the operation.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MAX_BATCH_OPERATIONS, type BatchOperation } from '../shared/board-batch.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { LIMITS } from '../shared/limits.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { apiClient } from './helpers/api.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { waitFor } from './helpers/wait-for.ts'
import { requireEntity } from '../shared/board-doc.ts'

type ErrorBody = { error: { code: string; message: string; index?: number } }

describe('POST /api/boards/:id/batch', () => {
  const given = useOwnedBoard({ owner: 'Bea Batch', board: 'Batches' })

  const logRows = async () => (await given.server.services.storage.log.load(given.boardId)).updates.length
  const batch = (operations: unknown[]) => given.api.post<{ ids: string[] } & ErrorBody>(`/api/boards/${given.boardId}/batch`, { operations })
  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body

  it('makes 200 cards and 400 links in one request, one commit and one update at a connected client', async () => {
    const client = await given.connectAs(given.owner)
    let updates = 0
    client.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === client.provider) updates++
    })
    const rowsBefore = await logRows()

    const operations: BatchOperation[] = [
      { op: 'add', collection: 'sources', ref: 'nato', input: { name: 'NATO', reliability: 'B' } },
      { op: 'add', collection: 'claims', ref: 'c1', input: { text: 'Convoys were seen.', sourceId: '@nato', credibility: 2 } },
      { op: 'add', collection: 'claims', ref: 'c2', input: { text: 'Camps were built.', sourceId: '@nato', credibility: 3 } },
    ]
    for (let i = 0; i < 200; i++) {
      operations.push({ op: 'add', collection: 'assessments', ref: `a${i}`, input: { title: `Card ${i + 1}`, likelihood: (i % 7) + 1 } })
      operations.push({ op: 'add', collection: 'links', input: { assessmentId: `@a${i}`, claimId: '@c1', rating: 'C' } })
      operations.push({ op: 'add', collection: 'links', input: { assessmentId: `@a${i}`, claimId: '@c2', rating: i % 2 === 0 ? 'CC' : 'I' } })
    }
    const response = await batch(operations)
    expect(response.status).toBe(200)
    expect(response.body.ids).toHaveLength(operations.length)

    const model = await board()
    expect(model.assessments.map((a) => a.title)).toEqual(Array.from({ length: 200 }, (_, i) => `Card ${i + 1}`))
    expect(model.links).toHaveLength(400)
    expect(model.assessments.every((a) => a.createdBy === 'Bea Batch')).toBe(true)
    expect((await logRows()) - rowsBefore).toBe(1)
    await waitFor(() => client.doc.getMap('links').size === 400, 'the client to see every link')
    expect(updates).toBe(1)
  })

  it('changes nothing when one operation is refused, and names it', async () => {
    const first = await batch([{ op: 'add', collection: 'sources', ref: 's', input: { name: 'NATO' } }])
    const source = first.body.ids[0]!
    const before = await board()
    const rowsBefore = await logRows()

    const missing = await batch([
      { op: 'add', collection: 'assessments', ref: 'a', input: { title: 'Would be added' } },
      { op: 'update', collection: 'sources', id: source, patch: { reliability: 'A' } },
      { op: 'add', collection: 'links', input: { assessmentId: '@a', claimId: 'no-such-claim', rating: 'C' } },
    ])
    expect(missing.status).toBe(404)
    expect(missing.body.error).toEqual({
      code: 'not-found',
      message: 'Operation 3: No claim with id no-such-claim on this board. Nothing in the batch was applied.',
      index: 2,
    })

    const invalid = await batch([{ op: 'add', collection: 'claims', input: { text: 'x', sourceId: source, credibility: 9 } }])
    expect(invalid.status).toBe(400)
    expect(invalid.body.error).toMatchObject({ code: 'invalid', index: 0, message: expect.stringMatching(/^Operation 1: Invalid claim: credibility/) })

    const author = await batch([{ op: 'add', collection: 'assessments', input: { title: 'Mine', createdBy: 'Someone else' } }])
    expect(author.status).toBe(400)
    expect(author.body.error.message).toMatch(/createdBy/)

    const conflict = await batch([
      { op: 'add', collection: 'claims', ref: 'c', input: { text: 'Once.', sourceId: source } },
      { op: 'add', collection: 'assessments', ref: 'a', input: { title: 'Card' } },
      { op: 'add', collection: 'links', input: { assessmentId: '@a', claimId: '@c', rating: 'C' } },
      { op: 'add', collection: 'links', input: { assessmentId: '@a', claimId: '@c', rating: 'I' } },
    ])
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.index).toBe(3)

    expect(await board()).toEqual(before)
    expect(await logRows()).toBe(rowsBefore)
  })

  it('refuses an operation on what an earlier one deleted along with its source, changing nothing; applies the rest alone', async () => {
    const made = await batch([
      { op: 'add', collection: 'sources', ref: 's', input: { name: 'Reuters' } },
      { op: 'add', collection: 'claims', ref: 'c', input: { text: 'Convoys were seen.', sourceId: '@s' } },
      { op: 'add', collection: 'assessments', ref: 'a', input: { title: 'Card' } },
      { op: 'add', collection: 'links', input: { assessmentId: '@a', claimId: '@c', rating: 'C' } },
    ])
    const [source, , card, link] = made.body.ids
    const before = await board()
    const rowsBefore = await logRows()
    const retitleAndDelete: BatchOperation[] = [
      { op: 'update', collection: 'assessments', id: card!, patch: { title: 'Retitled' } },
      { op: 'delete', collection: 'sources', id: source! },
    ]

    const refused = await batch([...retitleAndDelete, { op: 'update', collection: 'links', id: link!, patch: { rating: 'I' } }])
    expect(refused.status).toBe(404)
    expect(refused.body.error).toEqual({
      code: 'not-found',
      message: `Operation 3: No link with id ${link} on this board. Nothing in the batch was applied.`,
      index: 2,
    })
    expect(await board()).toEqual(before)
    expect(await logRows()).toBe(rowsBefore)

    expect((await batch(retitleAndDelete)).status).toBe(200)
    expect(await board()).toMatchObject({ sources: [], claims: [], links: [], assessments: [{ id: card, title: 'Retitled' }] })
  })

  it('refuses an empty or oversized batch, a malformed operation, and a reviewer', async () => {
    const empty = await batch([])
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toMatch(/operations/)
    const tooMany = await batch(Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `C${i}` } })))
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.message).toMatch(/operations/)
    const tooLarge = await batch([{ op: 'add', collection: 'assessments', input: { title: 'Big', judgment: 'x'.repeat(LIMITS.maxBodyBytes) } }])
    expect(tooLarge.status).toBe(413)
    const unknown = await batch([{ op: 'rename', collection: 'assessments', id: 'x' }])
    expect(unknown.status).toBe(400)

    const reviewer = await addAccount(given.server)
    await addMember(given.server, given.boardId, reviewer, 'reviewer')
    const asReviewer = apiClient(given.server.url, { authorization: `Bearer ${(await addToken(given.server, reviewer)).token}` })
    const refused = await asReviewer.post<ErrorBody>(`/api/boards/${given.boardId}/batch`, { operations: [{ op: 'add', collection: 'assessments', input: { title: 'No' } }] })
    expect(refused.status).toBe(403)
    expect((await board()).assessments).toEqual([])
  })

  it('places each card of a batch without sorting the board again: its order keys are read a bounded number of times, not once for every operation', async () => {
    const cards = 300
    const made = await batch(Array.from({ length: cards }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Card ${i}` } })))
    const ids = made.body.ids
    const anchors = Array.from({ length: 300 }, (_, i) => ids[1 + ((i * 7) % (cards - 1))]!)
    const reads = countOrderKeyReads()
    let moved
    try {
      moved = await batch([
        ...anchors.map((after) => ({ op: 'move', collection: 'assessments', id: ids[0], after })),
        ...Array.from({ length: 300 }, (_, i) => ({ op: 'add', collection: 'assessments', input: { title: `Added ${i}`, ...(i % 3 === 0 ? { after: null } : {}) } })),
      ])
    } finally {
      reads.stop()
    }
    expect(moved.status).toBe(200)
    // Sorting the cards for each operation read every key at least once each time: 600 × 300 reads at the least (4.3 million in fact).
    expect(reads.count).toBeLessThan(cards * 600)
    const titles = (await board()).assessments.map((card) => card.title)
    expect(titles.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => `Added ${297 - 3 * i}`))
    expect(titles.indexOf('Card 0')).toBe(titles.indexOf(`Card ${1 + ((299 * 7) % (cards - 1))}`) + 1)
    expect(titles.slice(-200)).toEqual(Array.from({ length: 300 }, (_, i) => `Added ${i}`).filter((_, i) => i % 3 !== 0))
  })

  it('places cards beside one whose order key a hostile client wrote as anything, all of them or none', async () => {
    const first = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Keyed by hand' })
    const hostile = await given.connectAs(given.owner)
    requireEntity(hostile.doc, 'assessments', first.body.id).set('order', 'not a key')
    const served = () => given.server.services.rooms.loadedRooms.get(given.boardId)!.doc
    await waitFor(() => requireEntity(served(), 'assessments', first.body.id).get('order') === 'not a key', 'the bad key at the server')

    const placed = await batch([
      { op: 'add', collection: 'assessments', ref: 'a', input: { title: 'Before it', after: null } },
      { op: 'add', collection: 'assessments', input: { title: 'After it', after: first.body.id } },
      { op: 'add', collection: 'assessments', input: { title: 'Last' } },
    ])
    expect(placed.status).toBe(200)
    expect((await board()).assessments.map((card) => card.title)).toEqual(['Before it', 'Keyed by hand', 'After it', 'Last'])
  })
})

/** Counts the reads of an entity's `order` (the in-process server's Y.Maps share this prototype) until stopped. */
function countOrderKeyReads(): { count: number; stop(): void } {
  const get = Y.Map.prototype.get
  const reads = {
    count: 0,
    stop: () => {
      Y.Map.prototype.get = get
    },
  }
  Y.Map.prototype.get = function (this: Y.Map<unknown>, key: string) {
    if (key === 'order') reads.count++
    return get.call(this, key)
  }
  return reads
}
