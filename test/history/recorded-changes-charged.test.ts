/**
 * What a compaction records of a member's edits (the changes the history
 * listing and a briefing's "what changed" read) is written to disk as their
 * edits are, and is charged to the same hour's bytes
 * (WRITTEN_BYTES_PER_HOUR_PER_PERSON). A frame of some 900 bytes putting one
 * letter into each of sixty colleagues' judgments of 240 characters had each
 * compaction record sixty changes holding both judgments whole, some 100 KB,
 * while only the frame was counted: the member could have the server write a
 * hundred times their hour's bytes. Against the real server, through the
 * stock client, with a compaction after each frame: the member is closed
 * 4429 once their recorded changes pass the hour's bytes, and their HTTP
 * changes get 429 `written_too_much`; a colleague typing meanwhile is never
 * refused. Without the charge every frame is taken. On SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest'
import type * as Y from 'yjs'
import { assessmentText } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { WHOLE_TEXT_CHARS } from '../../shared/text-excerpt.ts'
import { recordedBytes } from '../../server/storage/change-batches.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { waitFor } from '../helpers/wait-for.ts'
import { closeCodes } from '../helpers/yjs-client.ts'

const postgresMissing = await missingServices('postgres')

const WRITTEN_PER_HOUR = 256 * 1024
/** The colleagues' cards, each a judgment a recorded change holds whole (with a letter more too), three bytes a character. */
const CARDS = 60
const JUDGMENT = '語'.repeat(WHOLE_TEXT_CHARS - 1)
/** Frames the member may try: uncharged, all of them are taken (some 54 KB of updates, 6 MB recorded). */
const FRAMES = 60

describeEachDialect(postgresMissing, 'recorded changes charged to their author on %s', (dialect) => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Recorded changes', env: { WRITTEN_BYTES_PER_HOUR_PER_PERSON: String(WRITTEN_PER_HOUR) }, dialect })

  /** The judgment as the room holds it. */
  const held = async (card: string) => (await given.server.services.rooms.withRoom(given.boardId, (room) => assessmentText(room.doc, card, 'judgment').toString()))!
  const compact = () => given.server.services.compaction.compact(given.boardId)

  it('closes 4429 a member whose edits are recorded past their hour of written bytes, and refuses their HTTP changes; a colleague carries on', async () => {
    const cards: string[] = []
    for (let i = 0; i < CARDS; i++) cards.push((await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: `Card ${i}`, judgment: JUDGMENT })).body.id)
    const own = (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Notes', judgment: 'Short.' })).body.id
    await compact()

    const hugo = await addAccount(given.server, { name: 'Hostile Hugo' })
    await addMember(given.server, given.boardId, hugo, 'editor')
    const hostileClient = await given.connectAs(hugo)
    const hostile = { client: hostileClient, closes: closeCodes(hostileClient) }
    const sent = { bytes: 0 }
    hostileClient.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== hostileClient.provider) sent.bytes += update.byteLength
    })
    const colleague = await given.connectEditor('Colleague Cleo')
    const texts = cards.map((card) => assessmentText(hostile.client.doc, card, 'judgment') as Y.Text)
    const notes = assessmentText(colleague.client.doc, own, 'judgment') as Y.Text

    let taken = 0
    for (let frame = 0; frame < FRAMES && hostile.closes.length === 0; frame++) {
      // A letter put into every judgment, then taken out again by the next frame: each a change of sixty cards.
      hostile.client.doc.transact(() => {
        for (const text of texts) {
          if (frame % 2 === 0) text.insert(0, 'x')
          else text.delete(0, 1)
        }
      })
      const expected = frame % 2 === 0 ? `x${JUDGMENT}` : JUDGMENT
      await waitFor(async () => hostile.closes.length > 0 || (await held(cards.at(-1)!)) === expected, 'the frame stored or refused')
      if (hostile.closes.length > 0) break
      taken++
      // The colleague types meanwhile.
      notes.insert(notes.length, ` ${frame}`)
      await waitFor(async () => (await held(own)).endsWith(` ${frame}`), 'the colleague’s keystroke stored')
      await compact()
    }

    expect(hostile.closes[0]).toBe(CLOSE.writtenTooMuch.code)
    // Some 100 KB recorded a frame against 256 KiB an hour: the third is the last taken.
    expect(taken).toBe(3)
    const recorded = (await given.server.services.storage.history.changes(given.boardId, { limit: 100_000 }))
      .filter((change) => change.author === `ws:${hugo.id}`)
      .reduce((bytes, change) => bytes + recordedBytes(change), 0)
    // What the member had written stays within the hour's bytes and the last frame's records.
    expect(recorded).toBeGreaterThan(50 * sent.bytes)
    expect(recorded + sent.bytes).toBeLessThan(WRITTEN_PER_HOUR + recorded / taken)
    const asHugo = apiClient(given.server.url, { authorization: `Bearer ${(await addToken(given.server, hugo)).token}` })
    const refused = await asHugo.post<{ error: { code: string } }>(`/api/boards/${given.boardId}/assessments`, { title: 'More', judgment: 'More.' })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('written_too_much')
    expect(colleague.closes).toEqual([])
    notes.insert(notes.length, ' carried on')
    await waitFor(async () => (await held(own)).endsWith(' carried on'), 'the colleague’s edit stored after the member was refused')
  }, 120_000)
})
