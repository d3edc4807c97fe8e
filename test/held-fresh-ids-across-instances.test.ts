/**
 * A fresh client id in an update held for content the board lacks, raced by
 * another account on another instance. The held update's ids are claimed in
 * Redis as it arrives, as any update's are (fresh-id-claims.ts), not when it
 * is at last applied: the other account's update under the same id is
 * refused as it arrives (4422) while the first still waits, and once what it
 * waited for comes the held update is applied and stored, no commit refused
 * for a taken id (ClientIdTaken) and no reload of the board.
 */
import { expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../shared/board-doc.ts'
import { addAssessment } from '../shared/board-mutations.ts'
import { CLOSE } from '../shared/protocol.ts'
import { reloadsOf } from './helpers/forged-rounds.ts'
import { instancesAfterEach } from './helpers/instances.ts'
import { boardOfRacingEditors, racersAfterEach } from './helpers/racing-editors.ts'
import { frames, openRawSocket } from './helpers/raw-socket.ts'
import { describeUnless, missingServices } from './helpers/services.ts'
import { withStoredDoc } from './helpers/stored-board.ts'
import { takenCommits } from './helpers/taken-commits.ts'
import { waitFor } from './helpers/wait-for.ts'

const missing = await missingServices('postgres', 'redis')

/** The fresh id both accounts write under, and the one whose content the first's update is placed after. */
const RACED_ID = 0x610001
const LACKING_ID = 0x610002

describeUnless(missing)('a held update’s fresh client id raced on another instance', () => {
  const { start, connect } = instancesAfterEach()
  const { sockets, keys } = racersAfterEach()

  it('is claimed as it arrives: the other account refused 4422, the held update stored once what it lacked comes, no reload', async () => {
    const taken = takenCommits()
    const one = await start({ accounts: true, wrapStorage: taken.wrap })
    const two = await start({ database: one.database, accounts: true, wrapStorage: taken.wrap })
    const { boardId, ownerToken, leftToken, rightToken } = await boardOfRacingEditors(one, 'Held fresh ids')
    const honest = [connect(one, boardId, { token: ownerToken }), connect(two, boardId, { token: ownerToken })] as const
    await Promise.all(honest.map((client) => client.synced()))
    const reloads = honest.map(reloadsOf)
    const assessmentId = addAssessment(honest[0].doc, { title: 'Will the bridge hold?', judgment: 'Judgment.' })
    const judgment = () => withStoredDoc(one, boardId, (doc) => assessmentText(doc, assessmentId, 'judgment').toString())
    await waitFor(async () => (await judgment()) === 'Judgment.', 'the assessment stored')
    const base = Y.encodeStateAsUpdate(honest[0].doc)

    // The first account's: a character under LACKING_ID, and after it, under RACED_ID, text sent first, held for the character it follows.
    const first = new Y.Doc()
    Y.applyUpdate(first, base)
    const write = (doc: Y.Doc, clientId: number, index: number, text: string) => {
      doc.clientID = clientId
      const before = Y.encodeStateVector(doc)
      assessmentText(doc, assessmentId, 'judgment').insert(index, text)
      return Y.encodeStateAsUpdate(doc, before)
    }
    const lacking = write(first, LACKING_ID, 0, '[')
    const held = write(first, RACED_ID, 1, 'Mallory ')
    const second = new Y.Doc()
    Y.applyUpdate(second, base)
    const raced = write(second, RACED_ID, 0, 'Trudy ')

    const [mallory, trudy] = [await openRawSocket(`${one.wsUrl}/${boardId}?token=${leftToken}`), await openRawSocket(`${two.wsUrl}/${boardId}?token=${rightToken}`)]
    sockets.push(mallory, trudy)
    mallory.send(frames.update(held))
    // Claimed in Redis while held, before any of it is applied.
    await waitFor(async () => (await keys.claims(boardId, RACED_ID)).length > 0, 'the held update’s fresh id claimed')
    expect(await judgment()).toBe('Judgment.')

    trudy.send(frames.update(raced))
    expect((await trudy.closed).code).toBe(CLOSE.updateRejected.code)
    mallory.send(frames.update(lacking))
    await waitFor(async () => (await judgment()) === '[Mallory Judgment.', 'the held update applied and stored')
    for (const client of honest) await waitFor(() => assessmentText(client.doc, assessmentId, 'judgment').toString() === '[Mallory Judgment.', 'the honest pages synced')
    expect(mallory.isClosed()).toBe(false)
    expect(taken.count()).toBe(0)
    for (const { at, otherCodes } of reloads) {
      expect(at).toEqual([])
      expect(otherCodes).toEqual([])
    }
  })
})
