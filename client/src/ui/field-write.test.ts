import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { fieldWrite } from './field-write.ts'

/** Two copies of one map entry, each syncing to the other only when told. */
function twoCopies() {
  const ana = new Y.Doc()
  const bo = new Y.Doc()
  const sync = () => {
    Y.applyUpdate(bo, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(bo)))
    Y.applyUpdate(ana, Y.encodeStateAsUpdate(bo, Y.encodeStateVector(ana)))
  }
  ana.getMap('claim').set('note', 'base')
  sync()
  return { ana, bo, sync, destroy: () => (ana.destroy(), bo.destroy()) }
}

describe('fieldWrite', () => {
  it('names the write a change was made over when the writer had seen it', () => {
    const { ana, bo, sync, destroy } = twoCopies()
    ana.getMap('claim').set('note', 'base by Ana')
    const anaWrite = fieldWrite(ana.getMap('claim'), 'note')!
    sync()
    bo.getMap('claim').set('note', 'base by Ana and Bo')
    sync()
    expect(fieldWrite(ana.getMap('claim'), 'note')!.replaced).toBe(anaWrite.id)
    destroy()
  })

  it('names the same replaced write for two writes made at once, whichever the document keeps', () => {
    const { ana, bo, sync, destroy } = twoCopies()
    const base = fieldWrite(ana.getMap('claim'), 'note')!
    ana.getMap('claim').set('note', 'base by Ana')
    bo.getMap('claim').set('note', 'base by Bo')
    const anaWrite = fieldWrite(ana.getMap('claim'), 'note')!
    const boWrite = fieldWrite(bo.getMap('claim'), 'note')!
    expect([anaWrite.replaced, boWrite.replaced]).toEqual([base.id, base.id])
    sync()
    const kept = fieldWrite(ana.getMap('claim'), 'note')!
    expect(fieldWrite(bo.getMap('claim'), 'note')).toEqual(kept)
    expect([anaWrite, boWrite]).toContainEqual(kept)
    destroy()
  })

  it('names each write by its client id and clock, the ids of two writes made at once apart', () => {
    const { ana, bo, destroy } = twoCopies()
    ana.getMap('claim').set('note', 'base by Ana')
    bo.getMap('claim').set('note', 'base by Bo')
    expect(fieldWrite(ana.getMap('claim'), 'note')!.id).toMatch(new RegExp(`^${ana.clientID}:\\d+$`))
    expect(fieldWrite(bo.getMap('claim'), 'note')!.id).toMatch(new RegExp(`^${bo.clientID}:\\d+$`))
    destroy()
  })

  it('still names the last write of a key deleted since (a field emptied), on every copy', () => {
    const { ana, bo, sync, destroy } = twoCopies()
    const base = fieldWrite(ana.getMap('claim'), 'note')
    bo.getMap('claim').delete('note')
    sync()
    expect(fieldWrite(ana.getMap('claim'), 'note')).toEqual(base)
    expect(fieldWrite(bo.getMap('claim'), 'note')).toEqual(base)
    destroy()
  })

  it('is null for a key never written', () => {
    expect(fieldWrite(new Y.Doc().getMap('claim'), 'note')).toBeNull()
    expect(fieldWrite(undefined, 'note')).toBeNull()
  })
})
