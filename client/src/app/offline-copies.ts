/**
 * The boards this browser keeps for offline work (IndexedDB, one database per
 * person and board), and the last list of boards seen. Signing out deletes
 * them: a board's content must not stay on a shared machine for the next person.
 */
import { clearDocument } from 'y-indexeddb'

const KEY = 'assay.offline-copies'
export const BOARD_LIST_KEY = 'assay.boards'

function known(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : []
  } catch {
    return []
  }
}

export function offlineCopyName(userId: string, boardId: string): string {
  const name = `assay:${userId}:${boardId}`
  const names = known()
  if (!names.includes(name)) localStorage.setItem(KEY, JSON.stringify([...names, name]))
  return name
}

/** Open boards whose changes the server has not confirmed yet: signing out would delete them. */
const unsaved = new Set<string>()

export function noteUnsaved(name: string, isUnsaved: boolean): void {
  if (isUnsaved) unsaved.add(name)
  else unsaved.delete(name)
}

export function hasUnsavedChanges(): boolean {
  return unsaved.size > 0
}

export async function forgetOfflineCopies(): Promise<void> {
  await Promise.all(known().map((name) => clearDocument(name)))
  localStorage.removeItem(KEY)
  localStorage.removeItem(BOARD_LIST_KEY)
}
