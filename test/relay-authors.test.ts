/**
 * Who made an item of the board is who sent it, over the websocket as over
 * HTTP. An editor's stock WebsocketProvider that writes an acknowledgement, a
 * claim, an assessment or a document in someone else's name has them stamped
 * with its own: the board read, the Markdown briefing and every client name
 * the sender, and no client ever sees the forged name. Changing the author of
 * an entry the board holds is refused (4422), nothing stored; one held for
 * content the board lacked is stamped once it applies. An honest
 * acknowledgement through the shared mutation, and an undo that brings back
 * someone else's claim (in its author's name), keep the sender's connection open.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { isolate } from '../shared/bidi.ts'
import { acknowledgementsMap, collection, metaMap, requireEntity } from '../shared/board-doc.ts'
import type { BoardModel } from '../shared/board-model.ts'
import { acknowledgeFinding, addAssessment, addClaim, addDocument, addSource, deleteClaim } from '../shared/board-mutations.ts'
import { localOrigin } from '../shared/change-origin.ts'
import type { ChecksReport } from '../shared/checks-report.ts'
import { CLOSE } from '../shared/protocol.ts'
import { addAccount, addMember, addToken } from './helpers/accounts.ts'
import { useOwnedBoard } from './helpers/owned-board.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { storedBoard } from './helpers/stored-board.ts'
import { waitFor } from './helpers/wait-for.ts'

const OWNER = 'Olivia Owner'
const REASON = 'Reviewed with the desk; accepted.'

describe('the author of what a websocket client writes', () => {
  const given = useOwnedBoard({ owner: OWNER, board: 'Wagner' })
  let finding: { key: string; rule: string }
  let ownerAssessment: string

  beforeEach(async () => {
    const made = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Wagner regroups', judgment: 'Wagner will probably regroup.', kind: 'key-judgment' })
    ownerAssessment = made.body.id
    const checks = await given.api.get<ChecksReport>(`/api/boards/${given.boardId}/checks`)
    finding = checks.body.findings[0]!
  })

  const board = async () => (await given.api.get<BoardModel>(`/api/boards/${given.boardId}`)).body
  const briefing = async () => {
    const answer = await given.api.get<string>(`/api/boards/${given.boardId}/export?format=md`)
    expect(answer.status).toBe(200)
    return answer.body
  }

  it("stamps an acknowledgement written in someone else's name with the sender's: board, briefing and clients name the sender", async () => {
    const witness = await given.connectAs(given.owner)
    const seen: unknown[] = []
    acknowledgementsMap(witness.doc).observe((event) => {
      for (const key of event.keysChanged) seen.push((acknowledgementsMap(witness.doc).get(key) as { createdBy?: unknown } | undefined)?.createdBy)
    })
    const mallory = await given.connectEditor('Mallory Editor')
    // A member whose name the board holds nowhere else, so that the stored bytes can show it was never stored.
    const victim = 'Vera Victim'
    await addMember(given.server, given.boardId, await addAccount(given.server, { name: victim }), 'reviewer')

    acknowledgementsMap(mallory.client.doc).set(finding.key, { rule: finding.rule, reason: REASON, createdAt: new Date().toISOString(), createdBy: victim })

    await waitFor(async () => (await storedBoard(given.server, given.boardId)).acknowledgements?.[0]?.createdBy === 'Mallory Editor', 'the acknowledgement stored in the sender’s name')
    expect((await board()).acknowledgements).toEqual([expect.objectContaining({ key: finding.key, reason: REASON, createdBy: 'Mallory Editor' })])
    const markdown = await briefing()
    expect(markdown).toContain(`Acknowledged by ${isolate('Mallory Editor')}: ${isolate(REASON)}`)
    expect(markdown).not.toContain(victim)
    const sendersView = () => (acknowledgementsMap(mallory.client.doc).get(finding.key) as { createdBy?: string }).createdBy
    await waitFor(() => sendersView() === 'Mallory Editor', 'the sender’s own board to show its name')
    await waitFor(() => seen.includes('Mallory Editor'), 'the witness to see the acknowledgement')
    expect(seen).not.toContain(victim)
    expect(mallory.closes).toEqual([])
    const stored = await given.server.services.storage.log.load(given.boardId)
    const storedParts = stored.checkpoint ? [stored.checkpoint, ...stored.updates] : stored.updates
    expect(storedParts.some((part) => Buffer.from(part).includes(victim))).toBe(false)
  })

  it("stamps claims, assessments and documents created in someone else's name; refuses a change to the author of one the board holds", async () => {
    const mallory = await given.connectEditor('Mallory Editor')
    const forged = { by: OWNER }
    const doc = mallory.client.doc
    const source = addSource(doc, { name: 'Wire' }, forged)
    const claim = addClaim(doc, { text: 'Columns moved north.', sourceId: source }, forged)
    const assessment = addAssessment(doc, { title: 'A move north' }, forged)
    const document = addDocument(doc, { title: 'Wire report', text: 'Columns moved north.' }, forged)

    const stamped = (model: BoardModel) => [
      model.claims.find((c) => c.id === claim)?.createdBy,
      model.assessments.find((a) => a.id === assessment)?.createdBy,
      model.documents.find((d) => d.id === document)?.importedBy,
    ]
    await waitFor(async () => stamped(await storedBoard(given.server, given.boardId)).every((name) => name === 'Mallory Editor') || undefined, 'the entries stored in the sender’s name')
    expect(stamped(await board())).toEqual(['Mallory Editor', 'Mallory Editor', 'Mallory Editor'])
    expect(mallory.closes).toEqual([])

    requireEntity(doc, 'assessments', ownerAssessment).set('createdBy', 'Mallory Editor')
    await waitFor(() => mallory.closes.includes(CLOSE.updateRejected.code), `the sender closed with ${CLOSE.updateRejected.code}`)
    expect(mallory.client.provider.shouldConnect).toBe(false)
    expect((await storedBoard(given.server, given.boardId)).assessments.find((a) => a.id === ownerAssessment)?.createdBy).toBe(OWNER)
    expect((await board()).assessments.find((a) => a.id === ownerAssessment)?.createdBy).toBe(OWNER)
  })

  it('stamps an acknowledgement held for content the board lacked, once it applies', async () => {
    const mallory = await addAccount(given.server, { name: 'Mallory Editor' })
    await addMember(given.server, given.boardId, mallory, 'editor')
    const witness = await given.connectAs(given.owner)
    const hostile = new Y.Doc()
    Y.applyUpdate(hostile, Y.encodeStateAsUpdate(witness.doc))
    const atStart = Y.encodeStateVector(hostile)
    metaMap(hostile).set('question', 'Will Wagner regroup?')
    const first = Y.encodeStateAsUpdate(hostile, atStart)
    const afterFirst = Y.encodeStateVector(hostile)
    acknowledgementsMap(hostile).set(finding.key, { rule: finding.rule, reason: REASON, createdAt: new Date().toISOString(), createdBy: OWNER })
    const second = Y.encodeStateAsUpdate(hostile, afterFirst)
    hostile.destroy()

    const sender = await openRawSocket(`${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, mallory)).token}`)
    try {
      // The acknowledgement follows a change of its sender's the board has not got: it is held until that arrives.
      sender.send(frames.update(second))
      sender.send(frames.update(first))
      await waitFor(async () => (await board()).acknowledgements?.[0]?.createdBy === 'Mallory Editor', 'the held acknowledgement stored in the sender’s name')
      expect((await board()).question).toBe('Will Wagner regroup?')
      expect(sender.isClosed()).toBe(false)
    } finally {
      sender.terminate()
    }
  })

  it("keeps an honest client working: its acknowledgement through the shared mutation, and its undo of deleting someone else's claim", async () => {
    const edgar = await given.connectEditor('Edgar Editor')
    const origin = localOrigin()
    const ctx = { by: 'Edgar Editor', origin }
    acknowledgeFinding(edgar.client.doc, { key: finding.key, rule: finding.rule as never, reason: REASON }, ctx)
    await waitFor(async () => (await storedBoard(given.server, given.boardId)).acknowledgements?.[0]?.createdBy === 'Edgar Editor', 'the acknowledgement stored')
    expect(await briefing()).toContain(`Acknowledged by ${isolate('Edgar Editor')}: ${isolate(REASON)}`)

    const source = await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/sources`, { name: 'Agency' })
    const claim = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/claims`, { text: 'Fuel trucks arrived.', sourceId: source.body.id })).body.id
    const doc = edgar.client.doc
    await waitFor(() => collection(doc, 'claims').has(claim), 'the owner’s claim to reach the editor')
    const undo = new Y.UndoManager([collection(doc, 'claims')], { trackedOrigins: new Set([origin]) })
    deleteClaim(doc, claim, ctx)
    await waitFor(async () => !(await board()).claims.some((c) => c.id === claim) || undefined, 'the claim deleted')
    undo.undo()
    await waitFor(async () => (await board()).claims.some((c) => c.id === claim) || undefined, 'the claim back')
    // Brought back as it was: the owner's claim, not the undoing editor's.
    expect((await board()).claims.find((c) => c.id === claim)?.createdBy).toBe(OWNER)
    expect(edgar.closes).toEqual([])
    undo.destroy()
  })
})
