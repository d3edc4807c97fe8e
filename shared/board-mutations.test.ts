import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel, replaceBoardContent } from './board-convert.ts'
import { acknowledgementsMap, blufText, BoardError, initBoardDoc, metaMap, migrateBoardDoc, SCHEMA_VERSION } from './board-doc.ts'
import {
  acknowledgeFinding,
  addAssessment,
  addClaim,
  addDocument,
  addLink,
  addSource,
  deleteAssessment,
  deleteClaim,
  deleteSource,
  findSourceByName,
  moveAssessment,
  updateAssessment,
  updateClaim,
  updateMeta,
  withdrawAcknowledgement,
} from './board-mutations.ts'
import { replaceText } from './replace-text.ts'
import { seededRandom } from '../test/helpers/seeded-random.ts'

function board() {
  const doc = new Y.Doc()
  initBoardDoc(doc, { title: 'Test' })
  return doc
}

/** Exchanges updates between two docs as the relay would. */
function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

describe('board mutations', () => {
  it('creates a board with its meta and schema version', () => {
    const model = boardToModel(board(), 'b')
    expect(model).toMatchObject({ id: 'b', title: 'Test', marking: 'TLP:AMBER', profile: 'icd203', schemaVersion: SCHEMA_VERSION })
  })

  it('validates input with messages that name the field', () => {
    const doc = board()
    expect(() => addAssessment(doc, { title: '' })).toThrow(/title/)
    const id = addAssessment(doc, { title: 'Ok' })
    expect(() => updateAssessment(doc, id, { likelihood: 8 as 7 })).toThrow(BoardError)
    expect(() => addClaim(doc, { text: 'x', sourceId: 'missing' })).toThrow(/No source/)
  })

  it('cascades deletes so the model never holds a dangling id', () => {
    const doc = board()
    const source = addSource(doc, { name: 'NATO', reliability: 'B' })
    const claim = addClaim(doc, { text: 'Claim', sourceId: source, credibility: 2 })
    const other = addClaim(doc, { text: 'Other', sourceId: source })
    const assessment = addAssessment(doc, { title: 'A' })
    addLink(doc, { assessmentId: assessment, claimId: claim, rating: 'C' })
    addLink(doc, { assessmentId: assessment, claimId: other, rating: 'I' })
    deleteClaim(doc, other)
    expect(boardToModel(doc, 'b').links).toHaveLength(1)
    deleteAssessment(doc, assessment)
    expect(boardToModel(doc, 'b').links).toHaveLength(0)
    deleteSource(doc, source)
    expect(boardToModel(doc, 'b').claims).toHaveLength(0)
  })

  it('drops a link to a claim deleted concurrently', () => {
    const a = board()
    const b = new Y.Doc()
    sync(a, b)
    const source = addSource(a, { name: 'NATO' })
    const claim = addClaim(a, { text: 'Claim', sourceId: source })
    const assessment = addAssessment(a, { title: 'A' })
    sync(a, b)
    deleteClaim(a, claim)
    addLink(b, { assessmentId: assessment, claimId: claim, rating: 'CC' })
    sync(a, b)
    expect(boardToModel(a, 'x').links).toEqual([])
    expect(boardToModel(b, 'x')).toEqual(boardToModel(a, 'x'))
  })

  it('refuses a second link between the same claim and assessment', () => {
    const doc = board()
    const claim = addClaim(doc, { text: 'Claim', sourceId: addSource(doc, { name: 'S' }) })
    const assessment = addAssessment(doc, { title: 'A' })
    addLink(doc, { assessmentId: assessment, claimId: claim, rating: 'C' })
    expect(() => addLink(doc, { assessmentId: assessment, claimId: claim, rating: 'I' })).toThrow(/already linked/)
  })

  it('orders cards by fractional index; concurrent moves never duplicate or lose a card', () => {
    const a = board()
    const ids = ['one', 'two', 'three', 'four'].map((title) => addAssessment(a, { title }))
    const b = new Y.Doc()
    sync(a, b)
    moveAssessment(a, ids[3]!, null)
    moveAssessment(b, ids[3]!, ids[0]!)
    moveAssessment(b, ids[2]!, null)
    sync(a, b)
    const order = boardToModel(a, 'x').assessments.map((x) => x.id)
    expect(order).toEqual(boardToModel(b, 'x').assessments.map((x) => x.id))
    expect([...order].sort()).toEqual([...ids].sort())
    // Two inserts at the same place at once get the same key; a later insert between them still works.
    const c = board()
    const first = addAssessment(c, { title: 'first' })
    const d = new Y.Doc()
    sync(c, d)
    addAssessment(c, { title: 'from c', after: first })
    addAssessment(d, { title: 'from d', after: first })
    sync(c, d)
    const tied = boardToModel(c, 'x').assessments
    expect(tied.map((x) => x.title).slice(1).sort()).toEqual(['from c', 'from d'])
    addAssessment(c, { title: 'between', after: tied[1]!.id })
    expect(boardToModel(c, 'x').assessments.map((x) => x.title)[2]).toBe('between')
  })

  it('places and moves cards beside cards whose order key a client wrote as anything', () => {
    const doc = board()
    const [one, two, three] = ['one', 'two', 'three'].map((title) => addAssessment(doc, { title }))
    const cards = doc.getMap('assessments')
    ;(cards.get(two!) as Y.Map<unknown>).set('order', 'not a key')
    ;(cards.get(three!) as Y.Map<unknown>).set('order', '')
    addAssessment(doc, { title: 'last' })
    addAssessment(doc, { title: 'after two', after: two })
    addAssessment(doc, { title: 'first', after: null })
    moveAssessment(doc, one!, three!)
    // The bad keys sorted as strings ('' first, 'not a key' after 'a0'); they were given keys where they stood.
    expect(boardToModel(doc, 'x').assessments.map((card) => card.title)).toEqual(['first', 'three', 'one', 'two', 'after two', 'last'])
  })

  it('matches source names ignoring case and spacing', () => {
    const doc = board()
    const id = addSource(doc, { name: 'Western  Intelligence' })
    expect(findSourceByName(doc, ' western intelligence ')).toBe(id)
    expect(findSourceByName(doc, 'NATO')).toBeUndefined()
  })

  it('replaces content to equal a model, keeping what is unchanged', () => {
    const doc = board()
    const source = addSource(doc, { name: 'NATO', reliability: 'B' })
    const assessment = addAssessment(doc, { title: 'Keep', judgment: 'Original text' })
    const before = boardToModel(doc, 'b')
    updateAssessment(doc, assessment, { judgment: 'Changed text', likelihood: 5 })
    addAssessment(doc, { title: 'Added later' })
    deleteSource(doc, source)
    replaceBoardContent(doc, before)
    expect(boardToModel(doc, 'b')).toEqual(before)
  })

  it('gives a title or judgment stored as a plain value a shared text again when it is updated', () => {
    const doc = board()
    const id = addAssessment(doc, { title: 'Kept', judgment: 'Kept too' })
    const card = doc.getMap('assessments').get(id) as Y.Map<unknown>
    card.set('title', 'A plain stored title')
    card.set('judgment', 42)
    updateAssessment(doc, id, { title: 'Edited title', judgment: 'Edited judgment' })
    expect(card.get('title')).toBeInstanceOf(Y.Text)
    expect(card.get('judgment')).toBeInstanceOf(Y.Text)
    expect(boardToModel(doc, 'b').assessments[0]).toMatchObject({ title: 'Edited title', judgment: 'Edited judgment' })
  })

  it('refuses a document written by a newer schema', () => {
    const doc = board()
    metaMap(doc).set('schemaVersion', SCHEMA_VERSION + 1)
    expect(() => migrateBoardDoc(doc)).toThrow(/newer than this server supports/)
  })
})

/** A shared text holding `from`, replaced by `to`: what it then reads, and what a replica fed its updates reads. */
function replaced(from: string, to: string): { text: string; replica: string } {
  const doc = new Y.Doc()
  const text = doc.getText('t')
  text.insert(0, from)
  const replica = new Y.Doc()
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc))
  doc.on('update', (update: Uint8Array) => Y.applyUpdate(replica, update))
  replaceText(text, to)
  const result = { text: text.toString(), replica: replica.getText('t').toString() }
  doc.destroy()
  replica.destroy()
  return result
}

describe('replacing a shared text', () => {
  // 😀 U+1F600 and 😁 U+1F601 share their first UTF-16 unit; 😀 and 🈀 U+1F200 their second.
  const pairs: [string, string][] = [
    ['😀', '😁'],
    ['Card 😀', 'Card 😁'],
    ['😀 card', '😁 card'],
    ['We judge 😀 likely.', 'We judge 😁 likely.'],
    ['a😀b', 'a🈀b'],
    ['😀', '🈀'],
    ['😀😁', '😀😂'],
    ['😀😁', '😂😁'],
    ['😀😁😂', '😀😀😂'],
    ['😀😀', '😁😀'],
    ['😀😀', '😀🈀'],
    ['😀😁', '😁'],
    ['😀😁', '😀'],
    ['😀😀', '😀'],
    ['x😀', 'y😀'],
    ['😀x', '😀y'],
    ['😀x', '😁x'],
    ['x😀', 'x😁'],
    ['ab', 'a😀b'],
    ['a😀b', 'ab'],
    ['é😀', 'é𝒜'],
    ['', '😀'],
    ['😀', ''],
  ]

  it.each(pairs)('replaces %j by %j exactly, never splitting a surrogate pair', (from, to) => {
    expect(replaced(from, to)).toEqual({ text: to, replica: to })
  })

  it('replaces any text of emoji and letters by any other exactly (seeded)', () => {
    const random = seededRandom(20261203)
    const alphabet = ['a', 'é', ' ', '😀', '😁', '😂', '🈀', '𐘀', '𝒜']
    const word = () => Array.from({ length: random.int(6) }, () => random.pick(alphabet)!).join('')
    for (let i = 0; i < 500; i++) {
      const from = word()
      // Often an edit of `from`: some of its characters, new ones, then some more of its characters.
      const kept = [...from]
      const to = random.next() < 0.3 ? word() : kept.slice(0, random.int(kept.length + 1)).join('') + word() + kept.slice(random.int(kept.length + 1)).join('')
      expect(replaced(from, to), `${JSON.stringify(from)} to ${JSON.stringify(to)}`).toEqual({ text: to, replica: to })
    }
  })
})

const NOW = { by: 'Ana', now: new Date('2026-11-28T12:00:00.000Z') }

describe('the BLUF', () => {
  it('is absent from the model while empty, so older boards keep their content hash', () => {
    expect(boardToModel(board(), 'b')).not.toHaveProperty('bluf')
  })

  it('is set through the board settings and read back as text', () => {
    const doc = board()
    updateMeta(doc, { bluf: 'Wagner moves to Belarus; no threat to Lithuania this year.' })
    expect(boardToModel(doc, 'b').bluf).toBe('Wagner moves to Belarus; no threat to Lithuania this year.')
    expect(() => updateMeta(doc, { bluf: 'x'.repeat(20_001) })).toThrow(BoardError)
  })

  it('keeps both people’s typing when two replicas write it at once, even the first time', () => {
    const a = board()
    const b = new Y.Doc()
    sync(a, b)
    blufText(a).insert(0, 'Ana writes. ')
    blufText(b).insert(0, 'Ben writes.')
    sync(a, b)
    const text = boardToModel(a, 'b').bluf
    expect(text).toBe(boardToModel(b, 'b').bluf)
    expect(text).toContain('Ana writes.')
    expect(text).toContain('Ben writes.')
    a.destroy()
    b.destroy()
  })
})

describe('acknowledgements', () => {
  it('records a reason and who gave it, keyed by the finding', () => {
    const doc = board()
    acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Pending the source review.' }, NOW)
    expect(boardToModel(doc, 'b').acknowledgements).toEqual([
      { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Pending the source review.', createdAt: '2026-11-28T12:00:00.000Z', createdBy: 'Ana' },
    ])
    acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: 'Reviewed.' }, NOW)
    expect(boardToModel(doc, 'b').acknowledgements?.map((a) => a.reason)).toEqual(['Reviewed.'])
    withdrawAcknowledgement(doc, 'no-confidence:a1')
    expect(boardToModel(doc, 'b')).not.toHaveProperty('acknowledgements')
    expect(() => withdrawAcknowledgement(doc, 'no-confidence:a1')).toThrow(/No acknowledgement/)
  })

  it('refuses an empty reason, an unknown rule, or a key of another rule', () => {
    const doc = board()
    expect(() => acknowledgeFinding(doc, { key: 'no-confidence:a1', rule: 'no-confidence', reason: '  ' })).toThrow(/reason/)
    expect(() => acknowledgeFinding(doc, { key: 'x:a1', rule: 'made-up' as 'no-confidence', reason: 'r' })).toThrow(BoardError)
    expect(() => acknowledgeFinding(doc, { key: 'no-likelihood:a1', rule: 'no-confidence', reason: 'r' })).toThrow(/not a finding of rule/)
  })

  it('leaves out of the model what another writer put there that is not an acknowledgement', () => {
    const doc = board()
    acknowledgementsMap(doc).set('no-likelihood:a', { rule: 'no-likelihood', reason: '' })
    acknowledgementsMap(doc).set('junk', 42)
    expect(boardToModel(doc, 'b')).not.toHaveProperty('acknowledgements')
  })

  it('is restored with the rest of the content, and the BLUF with it', () => {
    const doc = board()
    updateMeta(doc, { bluf: 'The bottom line.' })
    acknowledgeFinding(doc, { key: 'no-key-judgment:board', rule: 'no-key-judgment', reason: 'A scoping board.' }, NOW)
    const snapshot = boardToModel(doc, 'b')
    updateMeta(doc, { bluf: 'Another line entirely.' })
    withdrawAcknowledgement(doc, 'no-key-judgment:board')
    acknowledgeFinding(doc, { key: 'no-likelihood:x', rule: 'no-likelihood', reason: 'Later.' }, NOW)
    replaceBoardContent(doc, snapshot)
    expect(boardToModel(doc, 'b')).toEqual(snapshot)
    replaceBoardContent(doc, { ...snapshot, bluf: undefined, acknowledgements: undefined })
    expect(boardToModel(doc, 'b')).toEqual({ ...boardToModel(board(), 'b'), title: snapshot.title })
  })
})

describe('the quoted text of a claim', () => {
  it('is fixed once imported, with a note for the analyst’s words; a claim added by hand stays editable', () => {
    const doc = board()
    const source = addSource(doc, { name: 'NATO', reliability: 'B' })
    const other = addSource(doc, { name: 'Reuters', reliability: 'C' })
    const documentId = addDocument(doc, { title: 'Wire', text: 'Convoys were seen. [citation: NATO]' })
    const imported = addClaim(doc, { text: 'Convoys were seen.', sourceId: source, documentId, paragraph: 0, start: 0, end: 18 })
    const typed = addClaim(doc, { text: 'Convoys seen', sourceId: source })

    expect(() => updateClaim(doc, imported, { text: 'Convoys were not seen.' })).toThrow(/imported from a document: its quoted text cannot change/)
    expect(() => updateClaim(doc, imported, { sourceId: other })).toThrow(/its source cannot change/)
    updateClaim(doc, imported, { text: 'Convoys were seen.', note: 'Probably the 3rd brigade.', credibility: 2 })
    updateClaim(doc, typed, { text: 'Convoys were seen near Minsk.' })

    const claims = boardToModel(doc, 'b').claims
    expect(claims.find((c) => c.id === imported)).toMatchObject({ text: 'Convoys were seen.', note: 'Probably the 3rd brigade.', credibility: 2 })
    expect(claims.find((c) => c.id === typed)).toMatchObject({ text: 'Convoys were seen near Minsk.' })
  })
})
