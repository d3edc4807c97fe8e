import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { requireEntity } from '../../shared/board-doc.ts'
import { addAssessment, addClaim, addLink, addSource, deleteLink, updateLink } from '../../shared/board-mutations.ts'
import type { LogRow } from '../storage/storage.ts'
import { changesOfRows, foldLog } from './fold-log.ts'

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
    expect(linkChanges).toEqual([
      { card, by: 'ana', from: [], to: [{ claimId: first, rating: 'C' }] },
      { card, by: 'ben', from: [{ claimId: first, rating: 'C' }], to: [{ claimId: first, rating: 'II' }] },
      { card, by: 'ana', from: [{ claimId: first, rating: 'II' }], to: sorted({ claimId: first, rating: 'II' }, { claimId: second, rating: 'I' }) },
      { card, by: 'ben', from: sorted({ claimId: first, rating: 'II' }, { claimId: second, rating: 'I' }), to: [{ claimId: second, rating: 'I' }] },
      { card, by: 'cleo', from: [{ claimId: second, rating: 'I' }], to: [] },
      { card: other, by: 'cleo', from: [{ claimId: first, rating: 'N' }], to: sorted({ claimId: first, rating: 'N' }, { claimId: second, rating: 'I' }) },
    ])
    expect(changesOfRows(checkpoint, rows)).toEqual(folded.changes)
    const replayed = new Y.Doc()
    Y.applyUpdate(replayed, folded.state)
    expect(boardToModel(replayed, 'board')).toEqual(boardToModel(doc, 'board'))
    replayed.destroy()
    doc.destroy()
  })
})
