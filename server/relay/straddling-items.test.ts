/**
 * A seeded property of validateUpdate over items that continue their client's
 * held struct (straddling-items.ts): honest edits of a board, each sent again
 * from a clock or two below what the board holds of its client, with its place
 * or content changed, after a collected struct or not. Whatever the relay
 * accepts applies without Yjs throwing, and the board then reads as a copy
 * made from its encoding does (what every client and every reload reads).
 */
import * as encoding from 'lib0/encoding'
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { expect, it } from 'vitest'
import { boardToModel } from '../../shared/board-convert.ts'
import { assessmentText, blufText, collection, initBoardDoc } from '../../shared/board-doc.ts'
import { addAssessment, deleteAssessment, moveAssessment } from '../../shared/board-mutations.ts'
import { validateUpdate } from './validate-update.ts'

const SEED = 20_261_205
const EDITS = 150
const EDITOR = 4_242

type Struct = Y.Item | Y.GC | Y.Skip
type DeleteSet = ReturnType<typeof Y.createDeleteSet>

/** The structs in update format V1, each client's in one run, with the update's deletions. */
function encoded(structs: Struct[], ds: DeleteSet): Uint8Array {
  const encoder = new Y.UpdateEncoderV1()
  const byClient = new Map<number, Struct[]>()
  for (const struct of structs) byClient.set(struct.id.client, [...(byClient.get(struct.id.client) ?? []), struct])
  encoding.writeVarUint(encoder.restEncoder, byClient.size)
  for (const [client, run] of byClient) {
    encoding.writeVarUint(encoder.restEncoder, run.length)
    encoder.writeClient(client)
    encoding.writeVarUint(encoder.restEncoder, run[0]!.id.clock)
    for (const struct of run) struct.write(encoder, 0)
  }
  // Yjs does not export its writer of deletions.
  encoding.writeVarUint(encoder.restEncoder, ds.clients.size)
  for (const [client, ranges] of ds.clients) {
    encoder.resetDsCurVal()
    encoding.writeVarUint(encoder.restEncoder, client)
    encoding.writeVarUint(encoder.restEncoder, ranges.length)
    for (const { clock, len } of ranges) {
      encoder.writeDsClock(clock)
      encoder.writeDsLen(len)
    }
  }
  return encoder.toUint8Array()
}

/** An id the board holds, of any client. */
function heldId(gen: prng.PRNG, doc: Y.Doc): Y.ID {
  const client = prng.oneOf(gen, [...doc.store.clients.keys()])
  return Y.createID(client, prng.uint32(gen, 0, Y.getState(doc.store, client) - 1))
}

/** A fresh client id for each run sent again after a collected struct of its own. */
let freshClient = 1_000_000

/**
 * The update's structs sent again from a clock or two below what the board
 * holds of their client, with one of them placed or filled otherwise, or
 * under a fresh client after a collected struct of its own (`first`, to be
 * applied before).
 */
function sentAgain(gen: prng.PRNG, doc: Y.Doc, update: Uint8Array): { first: Uint8Array | null; update: Uint8Array } | null {
  const { structs, ds } = Y.decodeUpdate(update)
  const start = structs[0]?.id.clock
  if (start === undefined) return null
  const items = structs.filter((struct): struct is Y.Item => struct instanceof Y.Item)
  const item = items.length > 0 ? prng.oneOf(gen, items) : null
  const choice = prng.uint32(gen, 0, 5)
  if (choice === 4) {
    const client = freshClient++
    for (const struct of structs) struct.id = Y.createID(client, struct.id.clock - start)
    return { first: encoded([new Y.GC(Y.createID(client, 0), 1)], Y.createDeleteSet()), update: encoded(structs, ds) }
  }
  const by = prng.uint32(gen, 1, 2)
  if (start < by) return null
  for (const struct of structs) struct.id = Y.createID(struct.id.client, struct.id.clock - by)
  if (item && choice === 0) [item.origin, item.rightOrigin, item.parent] = [null, null, prng.oneOf(gen, ['bluf', 'meta', 'assessments']) as unknown as Y.AbstractType<unknown>]
  else if (item && choice === 1) item.origin = heldId(gen, doc)
  else if (item && choice === 2) item.parentSub = prng.oneOf(gen, [null, 'order', 'title'])
  else if (item && choice === 3) [item.content, item.length] = [new Y.ContentString('xyz'), 3]
  return { first: null, update: encoded(structs, ds) }
}

/** An honest edit of the board in `doc`, as the editor's page makes one. */
function edit(gen: prng.PRNG, doc: Y.Doc): void {
  const cards = [...collection(doc, 'assessments').keys()]
  const card = cards.length > 0 ? prng.oneOf(gen, cards) : null
  const choice = card === null || cards.length < 3 ? 0 : prng.uint32(gen, 0, 4)
  if (choice === 0) addAssessment(doc, { title: prng.word(gen, 1, 8) })
  else if (choice === 1) assessmentText(doc, card!, 'title').insert(0, prng.word(gen, 1, 3))
  else if (choice === 2) moveAssessment(doc, card!, prng.oneOf(gen, cards))
  else if (choice === 3) blufText(doc).insert(0, prng.word(gen, 1, 3))
  else deleteAssessment(doc, card!)
}

it(`accepts no item continuing a held struct that Yjs cannot apply as the board reads it (seed ${SEED})`, () => {
  const gen = prng.create(SEED)
  const board = new Y.Doc()
  initBoardDoc(board, { title: 'Fuzzed' })
  const editor = new Y.Doc()
  editor.clientID = EDITOR
  Y.applyUpdate(editor, Y.encodeStateAsUpdate(board))
  const edits: Uint8Array[] = []
  editor.on('update', (update: Uint8Array) => edits.push(update))
  let accepted = 0
  for (let step = 0; step < EDITS; step++) {
    edit(gen, editor)
    for (const honest of edits.splice(0)) {
      // The editor's own edit, sent first and always accepted, then sent again otherwise to a copy of the board.
      expect(validateUpdate(honest, board).refused).toBeNull()
      Y.applyUpdate(board, honest)
      const again = sentAgain(gen, board, honest)
      if (again === null) continue
      const copy = new Y.Doc()
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(board))
      if (again.first) {
        expect(validateUpdate(again.first, copy).refused).toBeNull()
        Y.applyUpdate(copy, again.first)
      }
      if (validateUpdate(again.update, copy).refused) {
        copy.destroy()
        continue
      }
      accepted++
      expect(() => Y.applyUpdate(copy, again.update), `step ${step}`).not.toThrow()
      copy.store.pendingStructs = null
      copy.store.pendingDs = null
      const reloaded = new Y.Doc()
      Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(copy))
      expect(boardToModel(reloaded, 'b'), `step ${step}`).toEqual(boardToModel(copy, 'b'))
      for (const doc of [copy, reloaded]) doc.destroy()
    }
  }
  expect(accepted).toBeGreaterThan(0)
  for (const doc of [board, editor]) doc.destroy()
})
