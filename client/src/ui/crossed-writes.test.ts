import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { crossingIn, mergeCrossing, type Crossing } from './crossed-writes.ts'

/** A copy of one map entry that records each crossing a transaction brought it, read as the page reads it ('afterTransaction'). */
function copy(clientID: number) {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const map = doc.getMap<unknown>('claim')
  const crossings: Crossing[] = []
  doc.on('afterTransaction', (transaction: Y.Transaction) => {
    const crossing = crossingIn(transaction, map, 'note')
    if (crossing) crossings.push(crossing)
  })
  return { doc, map, crossings }
}

const send = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))

/** Ana writes the base, Bo receives it, and each writes over it without seeing the other's. */
function writeAtOnce(ana: ReturnType<typeof copy>, bo: ReturnType<typeof copy>, base: string, anaText: string, boText: string) {
  ana.map.set('note', base)
  send(ana.doc, bo.doc)
  ana.map.set('note', anaText)
  bo.map.set('note', boText)
}

describe('crossingIn', () => {
  it('finds two writes made over one value on the page that keeps its own and on a third page, with the dropped text', () => {
    const [ana, bo, cem] = [copy(3), copy(1), copy(2)]
    writeAtOnce(ana, bo, 'Shared base.', 'Shared base. Ana.', 'Bo. Shared base.')
    send(bo.doc, cem.doc)
    send(ana.doc, cem.doc)
    send(bo.doc, ana.doc)
    // Ana's write (higher client id) is kept; Bo's, dropped, was still readable where it arrived.
    for (const page of [ana, cem]) {
      expect(page.crossings).toHaveLength(1)
      expect(page.crossings[0]).toMatchObject({ winner: 'Shared base. Ana.', winnerClient: 3, losers: [{ text: 'Bo. Shared base.', client: 1 }] })
      expect(mergeCrossing(page.crossings[0]!, true).text).toBe('Bo. Shared base. Ana.')
    }
    for (const doc of [ana.doc, bo.doc, cem.doc]) doc.destroy()
  })

  it('finds none where one write was made over the other', () => {
    const [ana, bo] = [copy(1), copy(2)]
    ana.map.set('note', 'Shared base.')
    send(ana.doc, bo.doc)
    bo.map.set('note', 'Shared base. Bo.')
    send(bo.doc, ana.doc)
    ana.map.set('note', 'Ana. Shared base. Bo.')
    send(ana.doc, bo.doc)
    expect([...ana.crossings, ...bo.crossings]).toEqual([])
    for (const doc of [ana.doc, bo.doc]) doc.destroy()
  })

  it('merges a crossing of two pages writing the same merge to nothing', () => {
    const [ana, bo] = [copy(1), copy(2)]
    writeAtOnce(ana, bo, 'Kept.', 'Merged text.', 'Merged text.')
    send(ana.doc, bo.doc)
    send(bo.doc, ana.doc)
    expect(bo.crossings).toHaveLength(1)
    expect(mergeCrossing(bo.crossings[0]!, true).text).toBe('Merged text.')
    for (const doc of [ana.doc, bo.doc]) doc.destroy()
  })

  it('keeps both texts whole when they share nothing', () => {
    expect(mergeCrossing({ winner: 'Alpha', winnerClient: 2, winnerWrite: '2:0', losers: [{ text: 'Omega', client: 1 }], base: null }, false).text).toBe('Alpha Omega')
  })
})
