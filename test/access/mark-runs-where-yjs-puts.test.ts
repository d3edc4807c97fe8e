/**
 * Marks are judged where Yjs puts them, not where their origin names. Two
 * stock clients typing after the same letter at once: Yjs puts the item of
 * the higher client id after the other's (Item.integrate), so 20 marks typed
 * after an a, while another client's "y" and 20 marks went there first, made
 * a run of 40 on the y, and were judged as if after the a (a run of 20).
 * Against the real server: refused 4415, a colleague sees a run within the
 * bound, and 10 marks typed so (a run of 30) are stored.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasLongMarkRun } from '../../shared/text-hygiene.ts'
import { forgedUpdate } from '../helpers/forged-update.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
/** The client ids of the three copies: the first lowest, so that Yjs puts the others after its item. */
const FIRST = 7_100_001
const SECOND = 7_100_002
const THIRD = 7_100_003

describe('marks judged where Yjs puts them', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Where Yjs puts marks' })

  it('refuses marks that Yjs puts after another client\'s marks at the same letter, past the bound', async () => {
    const card = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment: 'Plain a' })).body.id
    const held = () => given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString())
    const base = (await given.server.services.rooms.withRoom(given.boardId, (room) => Y.encodeStateAsUpdate(room.doc))) ?? expect.fail('the board has no room')
    /** `marks` typed after the a by a copy of the board as it was before any of them. */
    const typedAfterA = (client: number, typed: string) => forgedUpdate(base, client, (doc) => assessmentText(doc, card, 'judgment').insert(7, typed))

    const first = await given.connectEditor('First Fay')
    Y.applyUpdate(first.client.doc, typedAfterA(FIRST, `y${ACUTE.repeat(20)}`))
    await waitFor(async () => (await held()) === `Plain ay${ACUTE.repeat(20)}`, 'the first marks taken')

    const second = await given.connectEditor('Second Sid')
    Y.applyUpdate(second.client.doc, typedAfterA(SECOND, ACUTE.repeat(20)))
    expect(hasLongMarkRun(assessmentText(second.client.doc, card, 'judgment').toString())).toBe(true)
    await waitFor(() => second.closes.includes(CLOSE.invalidText.code), 'the marks past the bound closed 4415')
    const seen = assessmentText((await given.connectEditor('Colleague Cleo')).client.doc, card, 'judgment').toString()
    expect(seen).toBe(`Plain ay${ACUTE.repeat(20)}`)

    const third = await given.connectEditor('Third Tia')
    Y.applyUpdate(third.client.doc, typedAfterA(THIRD, ACUTE.repeat(10)))
    await waitFor(async () => (await held()) === `Plain ay${ACUTE.repeat(30)}`, 'ten marks more taken')
    expect(third.closes).toEqual([])
  })
})
