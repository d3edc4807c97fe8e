/** A typist's keystrokes written straight to a board's log, each a row of its own, as the relay would have committed them. */
import * as Y from 'yjs'
import type { LogEntry } from '../../server/storage/storage.ts'
import type { TestServer } from './test-server.ts'

/** Appends `count` one-character keystrokes typed on `typing`, each a row of its own, to the board's log at the clock's time. */
export async function typeRows(on: Pick<TestServer, 'services'>, boardId: string, typing: Y.Doc, count: number): Promise<void> {
  const rows: LogEntry[] = []
  const record = (update: Uint8Array) => rows.push({ update, origin: 'ws:typist' })
  typing.on('update', record)
  const notes = typing.getText('notes')
  for (let i = 0; i < count; i++) notes.insert(notes.length, 'x')
  typing.off('update', record)
  await on.services.storage.log.append(boardId, rows)
}
