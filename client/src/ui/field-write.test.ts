import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { fieldWrite, holdsWrite, writtenOver, type FieldWrite } from './field-write.ts'

/** Two copies of one map entry, each syncing to the other only when told; Bo's writes win over Ana's made at once (higher client id). */
function twoCopies() {
  const ana = new Y.Doc()
  const bo = new Y.Doc()
  ana.clientID = 1
  bo.clientID = 2
  const sync = () => {
    Y.applyUpdate(bo, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(bo)))
    Y.applyUpdate(ana, Y.encodeStateAsUpdate(bo, Y.encodeStateVector(ana)))
  }
  const write = (doc: Y.Doc, value: string) => {
    doc.getMap('claim').set('note', value)
    return current(doc)
  }
  const current = (doc: Y.Doc) => fieldWrite(doc.getMap('claim'), 'note')!
  const base = write(ana, 'base')
  sync()
  return { ana, bo, sync, write, current, base, destroy: () => (ana.destroy(), bo.destroy()) }
}

const clockOf = (write: FieldWrite) => Number(write.id.split(':')[1])

/** The write's id as Yjs names it, and the map entry that holds it. */
const entryOf = (doc: Y.Doc, write: FieldWrite) => {
  const id = Y.createID(write.client, clockOf(write))
  return { id, entry: Y.getItem(doc.store, id) }
}
const idText = (id: Y.ID | null) => (id === null ? null : `${id.client}:${id.clock}`)

/** The first of `ids` the write was made over (or is). */
const nearestOf = (write: FieldWrite, ...ids: FieldWrite[]) => write.nearest((id) => ids.some((known) => known.id === id))

describe('fieldWrite', () => {
  it('finds the write a change was made over when the writer had seen it', () => {
    const { ana, bo, sync, write, current, base, destroy } = twoCopies()
    const anaWrite = write(ana, 'base by Ana')
    sync()
    write(bo, 'base by Ana and Bo')
    sync()
    expect(nearestOf(current(ana), base, anaWrite)).toBe(anaWrite.id)
    destroy()
  })

  it('finds it through writes made one over another since, arriving together', () => {
    const { ana, bo, sync, write, current, base, destroy } = twoCopies()
    const anaWrite = write(ana, 'base by Ana')
    sync()
    write(bo, 'base by Ana and Bo')
    const cy = new Y.Doc()
    Y.applyUpdate(cy, Y.encodeStateAsUpdate(bo))
    cy.getMap('claim').set('note', 'base by Ana and Bo and Cy')
    Y.applyUpdate(ana, Y.encodeStateAsUpdate(cy, Y.encodeStateVector(ana)))
    expect(current(ana).id).not.toBe(anaWrite.id)
    expect(nearestOf(current(ana), base, anaWrite)).toBe(anaWrite.id)
    cy.destroy()
    destroy()
  })

  it('does not find a write made at the same time, whichever the document keeps, nor through later writes', () => {
    const { ana, bo, sync, write, current, base, destroy } = twoCopies()
    const anaWrite = write(ana, 'base by Ana')
    const boWrite = write(bo, 'base by Bo')
    write(bo, 'base by Bo, again')
    sync()
    expect(current(ana)).toMatchObject({ id: current(bo).id })
    expect(nearestOf(current(ana), base, anaWrite)).toBe(base.id)
    expect(nearestOf(current(ana), boWrite)).toBe(boWrite.id)
    destroy()
  })

  it('finds the same write made over for two writes made at once, whichever the document keeps, on both copies', () => {
    const { ana, bo, sync, write, current, base, destroy } = twoCopies()
    const anaWrite = write(ana, 'base by Ana')
    const boWrite = write(bo, 'base by Bo')
    expect([nearestOf(anaWrite, base), nearestOf(boWrite, base)]).toEqual([base.id, base.id])
    sync()
    expect(current(ana).id).toBe(current(bo).id)
    expect([anaWrite.id, boWrite.id]).toContain(current(ana).id)
    destroy()
  })

  it('names each write by its client id and clock, the ids of two writes made at once apart', () => {
    const { ana, bo, write, destroy } = twoCopies()
    expect(write(ana, 'base by Ana').id).toMatch(new RegExp(`^${ana.clientID}:\\d+$`))
    expect(write(bo, 'base by Bo').id).toMatch(new RegExp(`^${bo.clientID}:\\d+$`))
    destroy()
  })

  it('still names the last write of a key deleted since (a field emptied), on every copy', () => {
    const { ana, bo, sync, current, base, destroy } = twoCopies()
    bo.getMap('claim').delete('note')
    sync()
    expect(current(ana).id).toBe(base.id)
    expect(current(bo).id).toBe(base.id)
    destroy()
  })

  it('follows one writer’s writes Yjs joined into one entry once replaced', () => {
    const { ana, bo, sync, write, current, destroy } = twoCopies()
    const first = write(ana, 'base 1')
    const second = write(ana, 'base 12')
    write(ana, 'base 123')
    const joined = Y.getItem(ana.store, Y.createID(1, clockOf(second)))
    expect(joined.id.clock).toBeLessThan(clockOf(second))
    sync()
    write(bo, 'base 123 by Bo')
    sync()
    expect(nearestOf(current(ana), first)).toBe(first.id)
    expect(nearestOf(current(ana), second)).toBe(second.id)
    destroy()
  })

  it('names an emptied field by its last write, though Yjs joined it with the writer’s earlier ones', () => {
    const { ana, write, current, destroy } = twoCopies()
    write(ana, 'base 1')
    const last = write(ana, 'base 12')
    ana.getMap('claim').delete('note')
    expect(ana.getMap('claim')._map.get('note')!.id.clock).toBeLessThan(clockOf(last))
    expect(current(ana).id).toBe(last.id)
    destroy()
  })

  it('is null for a key never written', () => {
    expect(fieldWrite(new Y.Doc().getMap('claim'), 'note')).toBeNull()
    expect(fieldWrite(undefined, 'note')).toBeNull()
  })
})

describe('writtenOver, the rule crossings are told by (crossed-writes.ts, and fieldWrite’s nearest)', () => {
  it('names the same write for two writes made at once, on both copies, and neither write for the other', () => {
    const { ana, bo, sync, write, base, destroy } = twoCopies()
    const anaWrite = write(ana, 'base by Ana')
    const boWrite = write(bo, 'base by Bo')
    sync()
    for (const doc of [ana, bo]) {
      const [mine, theirs] = [entryOf(doc, anaWrite), entryOf(doc, boWrite)]
      expect([idText(writtenOver(mine.entry, mine.id)), idText(writtenOver(theirs.entry, theirs.id))]).toEqual([base.id, base.id])
      expect(holdsWrite(mine.entry, mine.id)).toBe(true)
      expect(holdsWrite(mine.entry, theirs.id)).toBe(false)
    }
    destroy()
  })

  it('names the write before for one inside an entry Yjs joined, none for a key’s first, and an entry’s origin for a write over another’s', () => {
    const { ana, bo, sync, write, base, destroy } = twoCopies()
    const first = write(ana, 'base 1')
    const second = write(ana, 'base 12')
    const third = write(ana, 'base 123')
    sync()
    const boWrite = write(bo, 'base 123 by Bo')
    sync()
    // Ana's four writes, each over the one before, are one entry once replaced.
    const joined = entryOf(ana, second)
    expect(joined.entry.id.clock).toBe(clockOf(base))
    expect(holdsWrite(joined.entry, joined.id)).toBe(true)
    expect(idText(writtenOver(joined.entry, joined.id))).toBe(first.id)
    expect(idText(writtenOver(joined.entry, entryOf(ana, first).id))).toBe(base.id)
    expect(writtenOver(joined.entry, joined.entry.id)).toBeNull()
    const over = entryOf(ana, boWrite)
    expect(idText(writtenOver(over.entry, over.id))).toBe(third.id)
    expect(holdsWrite(joined.entry, null)).toBe(false)
    destroy()
  })
})
