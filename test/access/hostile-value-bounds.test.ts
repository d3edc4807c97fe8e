/**
 * The bounds the relay holds plain values to as sent (server/relay/value-bounds.ts,
 * applied by field-values.ts), at their edges, against the real server through
 * the stock y-websocket client: a key of any map longer than KEY_LENGTH (an
 * acknowledgement's, an entry's), an acknowledgement (a root map's value,
 * held to its schema's bounds alone) with any of its strings, its rule
 * included, or the keys its schema does not name, past twice their limits, a
 * card's order and tags (the array and each tag) one unit past the bound:
 * each closes its sender 4422 and is not held. The same values at the bound,
 * from an honest client, are held and stored.
 */
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { acknowledgementsMap, collection, requireEntity } from '../../shared/board-doc.ts'
import { LIMITS } from '../../shared/limits.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { KEY_LENGTH } from '../../server/relay/field-values.ts'
import { UNNAMED_LIMIT } from '../../server/relay/value-bounds.ts'
import { useOwnedBoard } from '../helpers/owned-board.ts'
import { withStoredDoc } from '../helpers/stored-board.ts'
import { waitFor } from '../helpers/wait-for.ts'

/** Twice a long text's limit: an acknowledgement's reason, a card's order, any string whose schema sets no limit. */
const LONG_BOUND = 2 * LIMITS.longText
/** An acknowledgement as the shared mutations write it. */
const acknowledgement = { rule: 'no-confidence', reason: 'Pending the source review.', createdAt: '2026-12-07T12:00:00.000Z', createdBy: 'Erin Editor' }

describe('values at the edges of their bounds', () => {
  const given = useOwnedBoard({ owner: 'Erin Editor', board: 'Value bounds' })

  const newCard = async () => (await given.api.post<{ id: string }>(`/api/boards/${given.boardId}/assessments`, { title: 'Card', judgment: 'Plain.' })).body.id
  /** Writes `write` to the board as a new editor of that name, and waits for the relay to close them 4422. */
  const refused = async (name: string, write: (doc: Y.Doc) => void) => {
    const { client, closes } = await given.connectEditor(`Hostile ${name}`)
    write(client.doc)
    await waitFor(() => closes.includes(CLOSE.updateRejected.code), `the writer of ${name} closed 4422`)
  }
  /** Writes `write` as an honest editor, and waits until the database holds what `stored` reads as `expected`, the editor never closed. */
  const accepted = async (write: (doc: Y.Doc) => void, stored: (doc: Y.Doc) => unknown, expected: unknown) => {
    const { client, closes } = await given.connectEditor('Honest Hana')
    client.doc.transact(() => write(client.doc))
    const matches = async () => isDeepStrictEqual(await withStoredDoc(given.server, given.boardId, stored), expected)
    await waitFor(matches, 'the honest values stored')
    expect(closes).toEqual([])
  }
  /** The acknowledgements as the room holds them, not read cut. */
  const heldAcknowledgements = () => given.server.services.rooms.withRoom(given.boardId, (room) => acknowledgementsMap(room.doc).toJSON())

  it('refuses an acknowledgement with a string, its rule or its unnamed keys past their bounds, or under a key past KEY_LENGTH, and stores one at the bounds', async () => {
    const overlong: [string, string, Record<string, string>][] = [
      ['reason', 'no-confidence:a1', { ...acknowledgement, reason: 'x'.repeat(LONG_BOUND + 1) }],
      ['author', 'no-confidence:a1', { ...acknowledgement, createdBy: 'x'.repeat(LONG_BOUND + 1) }],
      ['time', 'no-confidence:a1', { ...acknowledgement, createdAt: 'x'.repeat(LONG_BOUND + 1) }],
      // A rule is one of a list: the schema names no length, so the bound of a string without one holds it.
      ['rule', 'no-confidence:a1', { ...acknowledgement, rule: 'x'.repeat(LONG_BOUND + 1) }],
      ['unnamed key', 'no-confidence:a1', { ...acknowledgement, note: 'x'.repeat(UNNAMED_LIMIT - 'note'.length + 1) }],
      ['long key', `no-confidence:${'a'.repeat(KEY_LENGTH + 1 - 'no-confidence:'.length)}`, acknowledgement],
    ]
    for (const [name, key, value] of overlong) await refused(`acknowledgement ${name}`, (doc) => acknowledgementsMap(doc).set(key, value))
    expect(await heldAcknowledgements()).toEqual({})

    const atBounds = {
      [`no-confidence:${'a'.repeat(KEY_LENGTH - 'no-confidence:'.length)}`]: { ...acknowledgement, reason: 'r'.repeat(LONG_BOUND) },
      'no-confidence:a2': { ...acknowledgement, createdBy: 'b'.repeat(LONG_BOUND), rule: 'u'.repeat(LONG_BOUND) },
      'no-confidence:a3': { ...acknowledgement, note: 'n'.repeat(UNNAMED_LIMIT - 'note'.length) },
    }
    // Its author and time are the sender's and the server's once held (stamped-fields.ts): the rest is stored as sent.
    const unstamped = (acknowledgements: Record<string, Record<string, string>>) =>
      Object.fromEntries(Object.entries(acknowledgements).map(([key, { createdBy: _author, createdAt: _time, ...rest }]) => [key, rest]))
    await accepted(
      (doc) => {
        for (const [key, value] of Object.entries(atBounds)) acknowledgementsMap(doc).set(key, value)
      },
      (doc) => unstamped(acknowledgementsMap(doc).toJSON()),
      unstamped(atBounds),
    )
  })

  it("refuses an entry under a key past KEY_LENGTH, or a card's order or tags one past their bounds, and stores each at the bound", async () => {
    const card = await newCard()
    /** The card's fields and the sources as the database holds them, not read cut. */
    const stored = (doc: Y.Doc) => ({ card: requireEntity(doc, 'assessments', card).toJSON(), sources: collection(doc, 'sources').toJSON() })
    const before = await withStoredDoc(given.server, given.boardId, stored)
    /** A source as the shared mutations make it, under `key`. */
    const addSource = (doc: Y.Doc, key: string) =>
      collection(doc, 'sources').set(key, new Y.Map(Object.entries({ id: 'source-1', name: 'NATO', kind: '', reliability: 'B', createdAt: '2026-12-07T12:00:00.000Z' })))
    const overlong: [string, (doc: Y.Doc) => void][] = [
      ['long key', (doc) => addSource(doc, 's'.repeat(KEY_LENGTH + 1))],
      ['order', (doc) => requireEntity(doc, 'assessments', card).set('order', 'o'.repeat(LONG_BOUND + 1))],
      ['long tag', (doc) => requireEntity(doc, 'assessments', card).set('tags', ['t'.repeat(2 * 64 + 1)])],
      ['many tags', (doc) => requireEntity(doc, 'assessments', card).set('tags', Array.from({ length: 2 * 32 + 1 }, (_, index) => `tag ${index}`))],
    ]
    for (const [name, write] of overlong) await refused(name, write)
    expect(await withStoredDoc(given.server, given.boardId, stored)).toEqual(before)

    const atBounds = { order: 'o'.repeat(LONG_BOUND), tags: Array.from({ length: 2 * 32 }, (_, index) => `${index}`.padEnd(2 * 64, 't')) }
    const sourceKey = 's'.repeat(KEY_LENGTH)
    await accepted(
      (doc) => {
        addSource(doc, sourceKey)
        for (const [key, value] of Object.entries(atBounds)) requireEntity(doc, 'assessments', card).set(key, value)
      },
      (doc) => ({ card: requireEntity(doc, 'assessments', card).toJSON(), source: collection(doc, 'sources').has(sourceKey) }),
      { card: { ...before.card, ...atBounds }, source: true },
    )
  })

  it("refuses a card's tags with any element past the 32 read that no tag could be, and takes 40 that are tags", async () => {
    const card = await newCard()
    const storedTags = (doc: Y.Doc) => requireEntity(doc, 'assessments', card).get('tags')
    const before = await withStoredDoc(given.server, given.boardId, storedTags)
    const valid = Array.from({ length: 32 }, (_, index) => `t${index}`)
    // The red team's elements 33 to 40, each after 32 valid tags: readers cut them away unread, while every member held them.
    const junk: [string, unknown][] = [
      ['an object', { evil: { nested: [1, 2, 3] } }],
      ['a number', 42],
      ['an empty tag', ''],
      ['a blank tag', '   '],
      ['null', null],
      ['an array', [['a']]],
      ['an object of 1 MB', { big: 'z'.repeat(1_000_000) }],
    ]
    for (const [name, element] of junk) await refused(`tag 33 ${name}`, (doc) => requireEntity(doc, 'assessments', card).set('tags', [...valid, element]))
    expect(await withStoredDoc(given.server, given.boardId, storedTags)).toEqual(before)

    // Past the limit but tags all, one of 100 characters too: read as the first 32, as before.
    const tags = [...valid, ...Array.from({ length: 7 }, (_, index) => `late ${index}`), 'y'.repeat(100)]
    await accepted((doc) => requireEntity(doc, 'assessments', card).set('tags', tags), storedTags, tags)
  })
})
