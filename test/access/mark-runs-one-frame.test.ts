/**
 * Marks one frame puts at several places of one run of combining marks are
 * judged together. Each place was judged with the run as the room held it,
 * without the frame's marks at the other places: one transaction of a stock
 * client putting 15 marks before and 15 after an accent made a run of 31,
 * one putting 15 after each mark of a letter carrying 15 a run of 255, and
 * both reached colleagues. Against the real server: each is refused 4415, a
 * colleague's text keeps its runs within MAX_MARK_RUN, and an honest frame
 * adding accents at two places of one run within the bound is stored.
 * Marks a client of the frame puts after another client's item of the same
 * frame, where that item's marks end, are read at that item's place too:
 * they were judged apart from the run (their origin inside the frame), and
 * a frame of three clients made a run of 31.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { hasLongMarkRun, MAX_MARK_RUN } from '../../shared/text-hygiene.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { forgedUpdate } from '../helpers/forged-update.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { frames, openRawSocket } from '../helpers/raw-socket.ts'
import { waitFor } from '../helpers/wait-for.ts'

const ACUTE = '\u0301'
/** Half the bound: each place alone stays within it. */
const HALF = ACUTE.repeat(MAX_MARK_RUN / 2)

describe('marks of one frame at several places of one run', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Marks of one frame' })

  const newCard = async (judgment: string) => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment })).body.id
  /** The judgment as the room holds it. */
  const held = (card: string) => given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString())

  it('refuses marks before and after one mark that together pass the bound', async () => {
    const card = await newCard(`Plain a${ACUTE}`)
    const hostile = await given.connectEditor('Hostile Halves')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    // One transaction of a stock client: 15 marks after the accent, 15 before it.
    hostile.client.doc.transact(() => {
      text.insert(8, HALF)
      text.insert(7, HALF)
    })
    expect(text.toString()).toBe(`Plain a${ACUTE.repeat(MAX_MARK_RUN + 1)}`)
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the frame of two halves closed 4415')
    const seen = assessmentText((await given.connectEditor('Colleague Cleo')).client.doc, card, 'judgment').toString()
    expect(seen).toBe(`Plain a${ACUTE}`)
  })

  it('refuses marks after each mark of a run, and stores accents at two places within the bound', async () => {
    const card = await newCard(`Plain a${HALF}`)
    const hostile = await given.connectEditor('Hostile Spreader')
    const text = assessmentText(hostile.client.doc, card, 'judgment')
    // 15 marks at each of the 16 places of the run, from its end back to the letter: a run of 255.
    hostile.client.doc.transact(() => {
      for (let place = 7 + HALF.length; place >= 7; place--) text.insert(place, HALF)
    })
    expect(hasLongMarkRun(text.toString())).toBe(true)
    await waitFor(() => hostile.closes.includes(CLOSE.invalidText.code), 'the spreading frame closed 4415')
    const seen = assessmentText((await given.connectEditor('Colleague Cleo')).client.doc, card, 'judgment').toString()
    expect(seen).toBe(`Plain a${HALF}`)
    expect(hasLongMarkRun(seen)).toBe(false)

    // An honest frame: seven marks before and eight after the run, 30 in all.
    const honest = await given.connectEditor('Honest Hana')
    const judgment = assessmentText(honest.client.doc, card, 'judgment')
    honest.client.doc.transact(() => {
      judgment.insert(7 + HALF.length, ACUTE.repeat(8))
      judgment.insert(7, ACUTE.repeat(7))
    })
    await waitFor(async () => (await held(card)) === `Plain a${ACUTE.repeat(MAX_MARK_RUN)}`, 'the honest accents taken')
    expect(honest.closes).toEqual([])
  })

  it('reads marks put after another client’s item of the same frame with that item’s place, in the run of the room’s text', async () => {
    const card = await newCard(`e${ACUTE.repeat(10)} ok`)
    const hostile = await addAccount(given.server, { name: 'Hostile Hugo' })
    await addMember(given.server, given.boardId, hostile, 'editor')
    const url = `${given.server.wsUrl}/${given.boardId}?token=${(await addToken(given.server, hostile)).token}`
    const base = (await given.server.services.rooms.withRoom(given.boardId, (room) => Y.encodeStateAsUpdate(room.doc)))!
    const judgmentOf = (doc: Y.Doc) => assessmentText(doc, card, 'judgment')

    /**
     * One frame of three clients: "b" and 5 marks right after the e, 8 marks
     * after those 5, `last` marks after the fifth of the room's 10: "e", "b",
     * then 5 + 8 + 5 + `last` + 5 marks.
     */
    const frame = (clients: number, last: number): Uint8Array => {
      const letter = forgedUpdate(base, clients, (doc) => judgmentOf(doc).insert(1, `b${ACUTE.repeat(5)}`))
      const after = forgedUpdate(Y.mergeUpdates([base, letter]), clients + 1, (doc) => judgmentOf(doc).insert(7, ACUTE.repeat(8)))
      const inRoom = forgedUpdate(base, clients + 2, (doc) => judgmentOf(doc).insert(6, ACUTE.repeat(last)))
      return frames.update(Y.mergeUpdates([letter, after, inRoom]))
    }
    const sent = async (update: Uint8Array) => {
      const socket = await openRawSocket(url)
      socket.send(update)
      return socket
    }

    const refused = await sent(frame(4_100_001, 8))
    try {
      await waitFor(async () => refused.isClosed() || (await held(card)) !== `e${ACUTE.repeat(10)} ok`, 'the frame refused or stored')
      expect(await held(card)).toBe(`e${ACUTE.repeat(10)} ok`)
      expect((await refused.closed).code).toBe(CLOSE.invalidText.code)
    } finally {
      refused.terminate()
    }

    // 7 there: a run of 30 on the b.
    const taken = await sent(frame(4_100_011, 7))
    try {
      await waitFor(async () => taken.isClosed() || (await held(card)) !== `e${ACUTE.repeat(10)} ok`, 'the frame stored or refused')
      expect(taken.isClosed()).toBe(false)
      expect(await held(card)).toBe(`eb${ACUTE.repeat(MAX_MARK_RUN)} ok`)
    } finally {
      taken.terminate()
    }
  })
})
