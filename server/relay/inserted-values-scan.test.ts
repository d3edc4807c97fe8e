import { describe, expect, it } from 'vitest'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { collection, initBoardDoc } from '../../shared/board-doc.ts'
import { CLOSE } from '../../shared/protocol.ts'
import { acknowledgeFinding, addAssessment, addClaim, addDocument, addLink, addSource, deleteAssessment, deleteClaim, findLink, updateAssessment, updateClaim } from '../../shared/board-mutations.ts'
import { applyImport } from '../../shared/import/apply-import.ts'
import { parseSourceText } from '../../shared/import/parse-source.ts'
import { craftedItems, type CraftedItem } from '../../test/helpers/crafted-update.ts'
import { SAMPLE_ARTICLE } from '../../test/helpers/sample-article.ts'
import { seededRandom, type SeededRandom } from '../../test/helpers/seeded-random.ts'
import { scanUpdate } from './inserted-values-scan.ts'
import { MAX_INSERTED_VALUES, MAX_UPDATE_PIECES, validateUpdate, walkInsertedValues } from './validate-update.ts'

/** The scan's count of plain values, up to `bound`, its structs and deletions not bounded. */
function scanInsertedValues(update: Uint8Array, bound: number): number | null {
  return scanUpdate(update, { values: bound, pieces: Infinity, subdocuments: Infinity })?.values ?? null
}

/** The count after decoding, and the scan's count of the same bytes, unbounded. */
function counts(update: Uint8Array): { walked: number; scanned: number | null } {
  return { walked: walkInsertedValues(Y.decodeUpdate(update).structs).values, scanned: scanInsertedValues(update, Infinity) }
}

/** Every update `edit` makes `doc` send, one a transaction, and the whole state after it. */
function updatesOf(doc: Y.Doc, edit: () => void): Uint8Array[] {
  const sent: Uint8Array[] = []
  const record = (update: Uint8Array) => sent.push(update)
  doc.on('update', record)
  edit()
  doc.off('update', record)
  return [...sent, Y.encodeStateAsUpdate(doc)]
}

/** A plain value of random shape: nested arrays and objects of every lib0 `any` kind. */
function randomValue(random: SeededRandom, depth: number): unknown {
  const kinds = depth > 3 ? 9 : 11
  switch (random.int(kinds)) {
    case 0: return null
    case 1: return random.int(2) === 0
    case 2: return random.int(1_000_000) - 500_000
    case 3: return random.next() * 1e6
    case 4: return `text ${random.int(100)} é ✓`
    case 5: return undefined
    case 6: return new Uint8Array([1, 2, random.int(256)])
    case 7: return 2 ** 40 + random.int(10)
    case 8: return ''
    case 9: return Array.from({ length: random.int(6) }, () => randomValue(random, depth + 1))
    default: return Object.fromEntries(Array.from({ length: random.int(5) }, (_, i) => [`k${i}`, randomValue(random, depth + 1)]))
  }
}

function randomBoardEdits(doc: Y.Doc, random: SeededRandom): void {
  const claims: string[] = []
  const assessments: string[] = []
  for (let step = 0; step < 60; step++) {
    const choice = random.int(10)
    if (choice === 0 || claims.length === 0) {
      const sourceId = addSource(doc, { name: `Source ${step}` })
      claims.push(addClaim(doc, { text: `Claim ${step} — quoted.`, sourceId }))
    } else if (choice === 1 || assessments.length === 0) {
      assessments.push(addAssessment(doc, { title: `Card ${step}`, judgment: 'Likely.', tags: Array.from({ length: random.int(5) }, (_, i) => `tag${i}`) }))
    } else if (choice === 2) {
      const [assessmentId, claimId] = [random.pick(assessments)!, random.pick(claims)!]
      if (!findLink(doc, assessmentId, claimId)) addLink(doc, { assessmentId, claimId, rating: 'C' })
    } else if (choice === 3) {
      updateClaim(doc, random.pick(claims)!, { credibility: 3, note: `Note ${step}` })
    } else if (choice === 4) {
      updateAssessment(doc, random.pick(assessments)!, { tags: ['moved', `t${step}`], judgment: `Judged ${step}.` })
    } else if (choice === 5) {
      addDocument(doc, { title: `Doc ${step}`, text: 'Paragraph one.\n\nParagraph two.' })
    } else if (choice === 6) {
      acknowledgeFinding(doc, { key: `no-likelihood:finding-${step}`, rule: 'no-likelihood', reason: 'Checked.' })
    } else if (choice === 7 && claims.length > 1) {
      deleteClaim(doc, claims.splice(random.int(claims.length), 1)[0]!)
    } else if (choice === 8 && assessments.length > 1) {
      deleteAssessment(doc, assessments.splice(random.int(assessments.length), 1)[0]!)
    } else {
      collection(doc, 'documents').set(`kept-${step}`, randomValue(random, 0))
    }
  }
}

describe("the scan of an update's bytes counts the plain values it inserts as the walk after decoding does", () => {
  it('for random boards built with the board mutations, each transaction, the whole state and their merge', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const random = seededRandom(seed)
      const doc = new Y.Doc()
      initBoardDoc(doc, { title: `Board ${seed}` })
      const updates = updatesOf(doc, () => randomBoardEdits(doc, random))
      updates.push(Y.mergeUpdates(updates))
      for (const update of updates) {
        const { walked, scanned } = counts(update)
        expect(scanned, `seed ${seed}`).toBe(walked)
      }
      doc.destroy()
    }
  })

  it('for an import of the sample article, with deletions after it', () => {
    const doc = new Y.Doc()
    initBoardDoc(doc, { title: 'Imported' })
    const updates = updatesOf(doc, () => {
      applyImport(doc, parseSourceText(SAMPLE_ARTICLE))
      for (const id of [...collection(doc, 'claims').keys()].slice(0, 3)) deleteClaim(doc, id)
    })
    for (const update of updates) expect(scanInsertedValues(update, Infinity)).toBe(counts(update).walked)
    expect(counts(updates.at(-1)!).walked).toBeGreaterThan(0)
    doc.destroy()
  })

  it('for nested values of every kind in maps and arrays, shared texts with marks and embeds, XML nodes', () => {
    const random = seededRandom(42)
    const doc = new Y.Doc()
    const updates = updatesOf(doc, () => {
      for (let i = 0; i < 200; i++) doc.getMap('values').set(`v${i}`, randomValue(random, 0))
      doc.getArray('list').push(Array.from({ length: 50 }, () => randomValue(random, 0) ?? null))
      doc.getArray('list').delete(3, 10)
      const text = doc.getText('text')
      text.insert(0, 'Hello wörld ✓', { bold: true, colour: { name: 'red', shades: [1, 2, 3] } })
      text.insertEmbed(5, { image: 'x.png', size: [10, 20], meta: { a: null } })
      text.format(0, 3, { italic: { nested: [[], {}] } })
      text.delete(1, 2)
      const fragment = doc.getXmlFragment('xml')
      const element = new Y.XmlElement('para')
      element.setAttribute('class', 'lead')
      fragment.insert(0, [element, new Y.XmlText('words')])
      doc.getMap('hooks').set('hook', new Y.XmlHook('hook'))
    })
    for (const update of updates) expect(scanInsertedValues(update, Infinity)).toBe(counts(update).walked)
    expect(counts(updates.at(-1)!).walked).toBeGreaterThan(300)
    doc.destroy()
  })

  it("and a subdocument's options besides, which Yjs decodes whole and the walk never sees", () => {
    const doc = new Y.Doc()
    const [update] = updatesOf(doc, () => doc.getMap('docs').set('sub', new Y.Doc({ meta: { tags: ['a', 'b'] } })))
    // { meta: { tags: ['a', 'b'] } }: a key and its value, twice, and two elements.
    expect(scanInsertedValues(update!, Infinity)).toBe(counts(update!).walked + 6)
    doc.destroy()
  })

  it('and counts its structs and ranges of deletions, each count refused as it is read once past MAX_UPDATE_PIECES', () => {
    const doc = new Y.Doc()
    const text = doc.getText('text')
    const [typed] = updatesOf(doc, () => {
      text.insert(0, 'abc')
      text.insert(1, 'x')
    })
    const [deleted] = updatesOf(doc, () => text.delete(0, 1))
    expect(scanUpdate(typed!, { values: Infinity, pieces: Infinity, subdocuments: Infinity })).toEqual({ values: 0, pieces: Y.decodeUpdate(typed!).structs.length, subdocuments: 0, deleted: [] })
    const scannedDeletion = scanUpdate(deleted!, { values: Infinity, pieces: Infinity, subdocuments: Infinity })
    expect(scannedDeletion?.pieces).toBe(1)
    expect(scannedDeletion?.deleted).toEqual([{ client: doc.clientID, clock: 0, len: 1 }])
    doc.destroy()
    // A client claiming more structs than the bound, then one claiming as many ranges of deletions: neither holds any.
    const claiming = (uints: number[]) => {
      const encoder = encoding.createEncoder()
      for (const uint of uints) encoding.writeVarUint(encoder, uint)
      return encoding.toUint8Array(encoder)
    }
    for (const update of [claiming([1, MAX_UPDATE_PIECES + 1, 9, 0]), claiming([0, 1, 9, MAX_UPDATE_PIECES + 1])]) {
      expect(validateUpdate(update, new Y.Doc()).refused).toEqual({ event: CLOSE.updateRejected, reason: `update holds ${MAX_UPDATE_PIECES + 1} structs and deleted ranges or more, past the ${MAX_UPDATE_PIECES} one update may` })
    }
  })

  it('for JSON content, embeds and marks written as no current Yjs writes them', () => {
    const items: CraftedItem[] = [
      { place: { root: 'list' }, content: { json: '[1, {"a": [true, null, "x\\"]{"]}, -2.5e+3, {}]' } },
      { place: { root: 'list' }, content: { json: 'undefined' } },
      { place: { root: 'list' }, content: { json: '"plain"' } },
      { place: { root: 'text' }, content: { embed: '{"k": {"l": [1, 2]}, "m": "é"}' } },
      { place: { root: 'text' }, content: { format: ['bold', '{"on": [false]}'] } },
    ]
    const update = craftedItems({ client: 7, clock: 0 }, items)
    const { walked, scanned } = counts(update)
    expect(walked).toBe(1 + 9 + 1 + 1 + 8 + 3)
    expect(scanned).toBe(walked)
  })

  it('and stops once the count passes the bound, at the length of a huge array, before reading its elements: the relay refuses the update there', () => {
    const encoder = encoding.createEncoder()
    // One client, one ContentAny item in the root array `list`, holding one array that claims 10 million elements and holds none.
    for (const uint of [1, 1, 9, 0]) encoding.writeVarUint(encoder, uint)
    encoding.writeUint8(encoder, 8)
    encoding.writeVarUint(encoder, 1)
    encoding.writeVarString(encoder, 'list')
    encoding.writeVarUint(encoder, 1)
    encoding.writeUint8(encoder, 117)
    encoding.writeVarUint(encoder, 10_000_000)
    const update = encoding.toUint8Array(encoder)
    expect(scanInsertedValues(update, MAX_INSERTED_VALUES)).toBe(1 + 10_000_000)
    // Refused for its count, before Yjs would find it cut short.
    expect(validateUpdate(update, new Y.Doc()).refused).toEqual({ event: CLOSE.updateRejected, reason: `update inserts ${1 + 10_000_000} values or more, past the ${MAX_INSERTED_VALUES} one update may` })
  })

  it('and gives no verdict on what it cannot read: truncated, an unknown content or value type', () => {
    const doc = new Y.Doc()
    doc.getArray('list').push([{ a: [1, 2, 3] }])
    const update = Y.encodeStateAsUpdate(doc)
    for (let end = 0; end < update.length - 1; end++) expect(scanInsertedValues(update.subarray(0, end), Infinity), `cut at ${end}`).toBeNull()
    const unknownContent = Uint8Array.from([1, 1, 9, 0, 11, 1, 4, 0x6c, 0x69, 0x73, 0x74, 0])
    expect(scanInsertedValues(unknownContent, Infinity)).toBeNull()
    const unknownValue = Uint8Array.from([1, 1, 9, 0, 8, 1, 4, 0x6c, 0x69, 0x73, 0x74, 1, 100, 0])
    expect(scanInsertedValues(unknownValue, Infinity)).toBeNull()
  })
})
