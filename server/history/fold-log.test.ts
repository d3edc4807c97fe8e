import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText, collection, requireEntity } from '../../shared/board-doc.ts'
import { addAssessment, addClaim, addLink, addSource, deleteAssessment, deleteLink, findLink, updateAssessment, updateLink } from '../../shared/board-mutations.ts'
import { changeBoardSettings } from '../../shared/board-settings-change.ts'
import { byText } from '../../shared/entity-order.ts'
import { boundedListChange } from '../../shared/list-excerpt.ts'
import { CARD_ABSENT, CARD_PRESENT, EDIT_SESSION_GAP_MS, type AttributedField } from '../../shared/history-model.ts'
import { seededRandom } from '../../test/helpers/seeded-random.ts'
import type { AssessmentChangeRecord, LogRow } from '../storage/storage.ts'
import { personOf } from './authors.ts'
import { asRecorded, changesOfRows, foldLog } from './fold-log.ts'

const MINUTE = 60_000
const START = Date.parse('2026-03-20T09:00:00.000Z')

/** A board with two cards and a link on the second, as a checkpoint; then each edit as a log row, ten minutes apart. */
function board() {
  const doc = new Y.Doc()
  const sourceId = addSource(doc, { name: 'NATO', reliability: 'B' })
  const [first, second] = ['First claim.', 'Second claim.'].map((text) => addClaim(doc, { text, sourceId, credibility: 2 }))
  const card = addAssessment(doc, { title: 'Wagner moves north' })
  const other = addAssessment(doc, { title: 'Belarus stays out' })
  addLink(doc, { assessmentId: other, claimId: first!, rating: 'N' })
  const checkpoint = Y.encodeStateAsUpdate(doc)
  const rows: LogRow[] = []
  const asRow = (author: string, edit: () => void) => {
    const update = captureUpdate(doc, edit)
    rows.push({ seq: rows.length + 1, update, origin: author, at: new Date(START + rows.length * 10 * MINUTE).toISOString() })
  }
  return { doc, checkpoint, rows, asRow, card, other, claims: [first!, second!] }
}

function captureUpdate(doc: Y.Doc, edit: () => void): Uint8Array {
  let captured: Uint8Array | null = null
  const keep = (update: Uint8Array) => (captured = update)
  doc.on('update', keep)
  edit()
  doc.off('update', keep)
  if (!captured) throw new Error('the edit changed nothing')
  return captured
}

describe('foldLog', () => {
  it('attributes each change of a card’s links, reading only that card’s links', () => {
    const { doc, checkpoint, rows, asRow, card, other, claims } = board()
    const [first, second] = claims as [string, string]
    let linkId = ''
    let secondLinkId = ''
    asRow('ana', () => (linkId = addLink(doc, { assessmentId: card, claimId: first, rating: 'C' })))
    asRow('ben', () => updateLink(doc, linkId, { rating: 'II' }))
    asRow('ana', () => (secondLinkId = addLink(doc, { assessmentId: card, claimId: second, rating: 'I' })))
    asRow('ben', () => deleteLink(doc, linkId))
    // No mutation moves a link, but a client may write any field: the link leaves one card's links for the other's.
    asRow('cleo', () => requireEntity(doc, 'links', secondLinkId).set('assessmentId', other))

    const folded = foldLog(checkpoint, rows)
    const linkChanges = folded.changes
      .filter((change) => change.field === 'links')
      .map((change) => ({ card: change.assessmentId, by: change.author, from: JSON.parse(change.fromValue), to: JSON.parse(change.toValue) }))
    const sorted = (...links: { claimId: string; rating: string }[]) => links.sort((a, b) => (a.claimId < b.claimId ? -1 : 1))
    // Recorded as the links added and removed (shared/list-excerpt.ts).
    const recorded = (change: { card: string; by: string; from: unknown; to: unknown }) => ({ ...change, ...boundedListChange(change.from, change.to) })
    expect(linkChanges).toEqual([
      { card, by: 'ana', from: [], to: [{ claimId: first, rating: 'C' }] },
      { card, by: 'ben', from: [{ claimId: first, rating: 'C' }], to: [{ claimId: first, rating: 'II' }] },
      { card, by: 'ana', from: [{ claimId: first, rating: 'II' }], to: sorted({ claimId: first, rating: 'II' }, { claimId: second, rating: 'I' }) },
      { card, by: 'ben', from: sorted({ claimId: first, rating: 'II' }, { claimId: second, rating: 'I' }), to: [{ claimId: second, rating: 'I' }] },
      { card, by: 'cleo', from: [{ claimId: second, rating: 'I' }], to: [] },
      { card: other, by: 'cleo', from: [{ claimId: first, rating: 'N' }], to: sorted({ claimId: first, rating: 'N' }, { claimId: second, rating: 'I' }) },
    ].map(recorded))
    expect(changesOfRows(checkpoint, rows)).toEqual(folded.changes)
    const replayed = new Y.Doc()
    Y.applyUpdate(replayed, folded.state)
    expect(boardToModel(replayed, 'board')).toEqual(boardToModel(doc, 'board'))
    replayed.destroy()
    doc.destroy()
  })

  it('records a likelihood with the yardstick it is stated under where not the board’s, read again when the board’s yardstick changes', () => {
    const { doc, checkpoint, rows, asRow, card } = board()
    asRow('ana', () => updateAssessment(doc, card, { likelihood: 4 }))
    // The band re-sent with another yardstick: no band changed, the stated likelihood did.
    asRow('mallory', () => doc.transact(() => requireEntity(doc, 'assessments', card).set('likelihoodYardstick', 'phia')))
    // The board moves to PHIA: the card now reads under the board's yardstick, which nobody changed the card for.
    asRow('olga', () => changeBoardSettings(doc, { profile: 'phia', restateLikelihoods: true }))
    // The same band again under the board's yardstick: it read so already, so nothing changed.
    asRow('ben', () => updateAssessment(doc, card, { likelihood: 4 }))
    const likelihood = foldLog(checkpoint, rows)
      .changes.filter((change) => change.field === 'likelihood')
      .map((change) => ({ by: change.author, from: JSON.parse(change.fromValue), to: JSON.parse(change.toValue) }))
    expect(likelihood).toEqual([
      { by: 'ana', from: null, to: 4 },
      { by: 'mallory', from: 4, to: { band: 4, yardstick: 'phia' } },
    ])
  })
})

/**
 * A log as members and scripts write it: three people typing, backspacing and pasting into titles and judgments
 * at the end and anywhere (an emoji, a character cleanText drops, a paste past the limit, a selection replaced by
 * the same characters, an embed, a format), editing other fields, linking, deleting and adding cards, replacing a
 * judgment's text whole; minutes or hours apart, now and then a step back in time.
 */
function mixedLog(seed: number, count: number) {
  const { doc, checkpoint, rows, card, other, claims } = board()
  const random = seededRandom(seed)
  const cards = [card, other]
  const linkIds: string[] = []
  let at = START
  const text = (id: string) => assessmentText(doc, id, random.next() < 0.7 ? 'judgment' : 'title')
  const edits: (() => void)[] = [
    ...Array<() => void>(12).fill(() => {
      const typed = text(random.pick(cards)!)
      typed.insert(random.next() < 0.7 ? typed.length : random.int(typed.length + 1), random.pick(['a', 'b', ' ', 'é', '😀', '\n'])!)
    }),
    ...Array<() => void>(3).fill(() => {
      const typed = text(random.pick(cards)!)
      if (typed.length > 0) typed.delete(random.int(typed.length), 1)
    }),
    () => {
      const typed = text(random.pick(cards)!)
      const start = random.int(typed.length + 1)
      const selected = typed.toString().slice(start, start + 1 + random.int(3))
      doc.transact(() => {
        typed.delete(start, selected.length)
        typed.insert(start, random.next() < 0.5 ? selected : [...selected].reverse().join(''))
      })
    },
    () => text(random.pick(cards)!).insert(0, random.pick(['\u0001', '\r', 'x\u0085y'])!),
    () => text(random.pick(cards)!).insert(0, 'Pasted. '.repeat(random.next() < 0.1 ? 2600 : 8)),
    () =>
      doc.transact(() => {
        const typed = text(random.pick(cards)!)
        typed.insert(0, 'gone')
        typed.delete(0, 4)
      }),
    () => text(random.pick(cards)!).insertEmbed(0, { image: 'x' }),
    () => text(random.pick(cards)!).format(0, 2, { bold: true }),
    () => updateAssessment(doc, random.pick(cards)!, { kind: random.pick(['assessment', 'hypothesis'] as const)! }),
    () => {
      const [assessmentId, claimId] = [random.pick(cards)!, random.pick(claims)!]
      const linked = findLink(doc, assessmentId, claimId)
      if (linked) deleteLink(doc, linked)
      else linkIds.push(addLink(doc, { assessmentId, claimId, rating: 'C' }))
    },
    () => {
      const linkId = random.pick(linkIds.filter((id) => collection(doc, 'links').has(id)))
      if (linkId) updateLink(doc, linkId, { rating: random.pick(['I', 'II', 'N'] as const)! })
    },
    () => {
      const doomed = random.pick(cards)!
      if (cards.length > 1) deleteAssessment(doc, doomed)
      cards.splice(cards.indexOf(doomed), cards.length > 1 ? 1 : 0)
      cards.push(addAssessment(doc, { title: 'A new card' }))
    },
    () => requireEntity(doc, 'assessments', random.pick(cards)!).set('judgment', new Y.Text('Written again.')),
    () => doc.transact(() => cards.forEach((id) => text(id).insert(0, 'both '))),
  ]
  for (let i = 0; i < count; i++) {
    const edit = random.pick(edits)!
    const author = random.pick(['ana', 'ana', 'ben', 'cleo'])!
    at += random.next() < 0.9 ? random.int(90_000) : random.next() < 0.8 ? 6 * MINUTE + random.int(3_600_000) : -MINUTE
    let update: Uint8Array | null = null
    const keep = (written: Uint8Array) => (update = update ? Y.mergeUpdates([update, written]) : written)
    doc.on('update', keep)
    edit()
    doc.off('update', keep)
    if (update) rows.push({ seq: rows.length + 1, update, origin: author, at: new Date(at).toISOString() })
  }
  doc.destroy()
  return { checkpoint, rows }
}

/** The changes as a fold that reads every card after every row makes them: the reference the fold must match. */
function everyCardReadAfterEveryRow(checkpoint: Uint8Array, rows: readonly LogRow[]): AssessmentChangeRecord[] {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, checkpoint)
  const read = () => {
    const model = boardToModel(doc, 'board')
    const fields = new Map<string, Record<string, string>>()
    for (const { id, title, judgment, kind, likelihood, confidence, impact, status, tags } of model.assessments) {
      const links = model.links.filter((link) => link.assessmentId === id).map(({ claimId, rating }) => ({ claimId, rating }))
      links.sort((a, b) => byText(a.claimId, b.claimId) || byText(a.rating, b.rating))
      const values = { title, judgment, kind, likelihood, confidence, impact, status, tags, links }
      fields.set(id, Object.fromEntries(Object.entries(values).map(([field, value]) => [field, JSON.stringify(value)])))
    }
    return fields
  }
  const changes: AssessmentChangeRecord[] = []
  const open = new Map<string, AssessmentChangeRecord>()
  let before = read()
  for (const row of rows) {
    Y.applyUpdate(doc, row.update)
    const after = read()
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      const [from, to] = [before.get(id), after.get(id)]
      const valueOf = (fields: Record<string, string> | undefined, field: string) =>
        field === 'card' ? JSON.stringify(fields ? CARD_PRESENT : CARD_ABSENT) : (fields?.[field] ?? JSON.stringify(field === 'links' ? [] : null))
      for (const field of from && to ? ['card', ...Object.keys(to)] : ['card']) {
        const [fromValue, toValue] = [valueOf(from, field), valueOf(to, field)]
        if (fromValue === toValue) continue
        const last = open.get(`${id} ${field}`)
        if (field !== 'card' && last && personOf(last.author) === personOf(row.origin) && Date.parse(row.at) - Date.parse(last.at) <= EDIT_SESSION_GAP_MS) {
          Object.assign(last, { toValue, at: row.at, seq: row.seq })
          continue
        }
        const change = { assessmentId: id, field: field as AttributedField, fromValue, toValue, author: row.origin, firstAt: row.at, at: row.at, seq: row.seq }
        changes.push(change)
        open.set(`${id} ${field}`, change)
      }
    }
    before = after
  }
  doc.destroy()
  return changes.filter((change) => change.fromValue !== change.toValue).map(asRecorded)
}

describe('foldLog on a mixed log', () => {
  it('attributes every change as reading every card after every row does, and folds to the same board', () => {
    for (const seed of [1, 2, 3]) {
      const { checkpoint, rows } = mixedLog(seed, 400)
      const bySession = (a: AssessmentChangeRecord, b: AssessmentChangeRecord) => byText(a.assessmentId, b.assessmentId) || byText(a.field, b.field) || a.seq - b.seq
      const folded = foldLog(checkpoint, rows)
      expect([...folded.changes].sort(bySession)).toEqual(everyCardReadAfterEveryRow(checkpoint, rows).sort(bySession))
      expect(changesOfRows(checkpoint, rows)).toEqual(folded.changes)
      // The checkpoint as applying the rows one by one, reading nothing, encodes it.
      const replayed = new Y.Doc()
      Y.applyUpdate(replayed, checkpoint)
      for (const row of rows) Y.applyUpdate(replayed, row.update)
      expect(folded.state).toEqual(Y.encodeStateAsUpdate(replayed))
      replayed.destroy()
    }
  })
})
