/** A card deleted and brought back with the browser's undo, as an analyst does: what a board stored before a rule must still let through. */
import type * as Y from 'yjs'
import { entity } from '../../shared/board-doc.ts'
import { deleteAssessment } from '../../shared/board-mutations.ts'
import { boardUndoManager } from '../../shared/board-undo.ts'
import { localOrigin } from '../../shared/change-origin.ts'
import { storedBoard } from './stored-board.ts'
import type { TestServer } from './test-server.ts'
import { waitFor } from './wait-for.ts'

export const cardTitle = (doc: Y.Doc, card: string) => entity(doc, 'assessments', card)?.get('title')?.toString()

export const cardStored = async (running: TestServer, boardId: string, card: string) => (await storedBoard(running, boardId)).assessments.some((stored) => stored.id === card)

/** An analyst at `doc` deletes the card titled `title` and undoes it with the browser's undo: the card comes back at `witness` and in storage. */
export async function deleteAndUndo(doc: Y.Doc, witness: Y.Doc, card: string, title: string, running: TestServer, boardId: string): Promise<void> {
  const origin = localOrigin()
  const undo = boardUndoManager(doc, origin)
  deleteAssessment(doc, card, { origin })
  await waitFor(() => cardTitle(witness, card) === undefined, 'the deletion at the witness')
  undo.undo()
  await waitFor(() => cardTitle(witness, card) === title, 'the card back at the witness')
  await waitFor(() => cardStored(running, boardId, card), 'the card back in storage')
}
