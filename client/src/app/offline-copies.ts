/**
 * What this browser keeps of a person's boards: the offline copies (IndexedDB,
 * one database per person and board) and the last list of boards seen. Each
 * belongs to one account and is never shown to another. A copy's note of
 * changes the server has not confirmed is kept in localStorage, so that it
 * outlives the page: when a session ends, by sign-out or otherwise, copies
 * holding nothing unsaved are deleted (a board's content must not stay on a
 * shared machine for the next person), and copies holding unsaved changes are
 * kept, hidden from other accounts: the sign-in page names whose they are
 * (not which boards: the next person at the keyboard must not learn a title),
 * and the owner's board list marks their boards.
 */
import { clearDocument } from 'y-indexeddb'
import type { BoardListing } from '../../../shared/board-listing.ts'

const COPIES_KEY = 'assay.offline-copies'
const BOARD_LIST_KEY = 'assay.boards'

export type CopyOwner = { id: string; name: string; email: string }

type OfflineCopy = {
  /** The IndexedDB database's name. */
  name: string
  boardId: string
  owner: CopyOwner
  /** The copy holds changes the server has not confirmed. */
  unsaved: boolean
}

/** Someone's copies kept for their unsaved changes, as the sign-in page names them. */
export type KeptChanges = { owner: CopyOwner; boards: number }

function isOwner(value: unknown): value is CopyOwner {
  if (typeof value !== 'object' || value === null) return false
  const { id, name, email } = value as Record<string, unknown>
  return typeof id === 'string' && typeof name === 'string' && typeof email === 'string'
}

function isCopy(value: unknown): value is OfflineCopy {
  if (typeof value !== 'object' || value === null) return false
  const { name, boardId, owner, unsaved } = value as Record<string, unknown>
  return typeof name === 'string' && typeof boardId === 'string' && isOwner(owner) && typeof unsaved === 'boolean'
}

/**
 * An entry of an earlier version, which listed names only (`assay:<user>:<board>`):
 * it is known by its name, as holding nothing unsaved, so that it is deleted in time.
 */
function legacyCopy(name: string): OfflineCopy | null {
  const [prefix, userId, boardId] = name.split(':')
  return prefix === 'assay' && userId && boardId ? { name, boardId, owner: { id: userId, name: '', email: '' }, unsaved: false } : null
}

function readCopies(): OfflineCopy[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(COPIES_KEY) ?? '[]')
    if (!Array.isArray(parsed)) return []
    return parsed.flatMap((entry: unknown) => (isCopy(entry) ? [entry] : typeof entry === 'string' ? (legacyCopy(entry) ?? []) : []))
  } catch {
    return []
  }
}

function writeCopies(copies: OfflineCopy[]): void {
  if (copies.length === 0) localStorage.removeItem(COPIES_KEY)
  else localStorage.setItem(COPIES_KEY, JSON.stringify(copies))
}

/** The name of this person's copy of the board, noted as theirs. */
export function offlineCopyName(owner: CopyOwner, boardId: string): string {
  const name = `assay:${owner.id}:${boardId}`
  const copies = readCopies()
  if (!copies.some((copy) => copy.name === name)) {
    writeCopies([...copies, { name, boardId, owner: { id: owner.id, name: owner.name, email: owner.email }, unsaved: false }])
  }
  return name
}

/** Notes whether the copy holds changes the server has not confirmed; a copy already deleted stays deleted. */
export function noteUnsaved(name: string, isUnsaved: boolean): void {
  const copies = readCopies()
  const copy = copies.find((entry) => entry.name === name)
  if (!copy || copy.unsaved === isUnsaved) return
  copy.unsaved = isUnsaved
  writeCopies(copies)
}

/** Whether any of this person's copies, open in this page or not, holds changes the server has not confirmed. */
export function hasUnsavedChanges(userId: string): boolean {
  return readCopies().some((copy) => copy.owner.id === userId && copy.unsaved)
}

/** Whose copies are kept for their unsaved changes, and how many boards each: the sign-in page names them. */
export function keptChanges(): KeptChanges[] {
  const byOwner = new Map<string, KeptChanges>()
  for (const copy of readCopies()) {
    if (!copy.unsaved) continue
    const kept = byOwner.get(copy.owner.id) ?? { owner: copy.owner, boards: 0 }
    kept.boards++
    byOwner.set(copy.owner.id, kept)
  }
  return [...byOwner.values()]
}

/** The boards whose copy of this person's holds changes the server has not confirmed: the board list marks them. */
export function boardsWithUnsavedChanges(userId: string): Set<string> {
  return new Set(readCopies().flatMap((copy) => (copy.owner.id === userId && copy.unsaved ? [copy.boardId] : [])))
}

async function deleteCopies(doomed: (copy: OfflineCopy) => boolean): Promise<void> {
  const copies = readCopies()
  // The registry first, synchronously: a page still open must not note a deleted copy again.
  writeCopies(copies.filter((copy) => !doomed(copy)))
  const results = await Promise.allSettled(copies.filter(doomed).map((copy) => clearDocument(copy.name)))
  const failed = results.filter((result) => result.status === 'rejected').length
  if (failed > 0) console.error(`${failed} offline ${failed === 1 ? 'copy' : 'copies'} could not be deleted from this browser`)
}

/** Signing out: every copy of this person's, and their list of boards. */
export function forgetCopiesOf(userId: string): Promise<void> {
  if (savedBoardListOwner() === userId) localStorage.removeItem(BOARD_LIST_KEY)
  return deleteCopies((copy) => copy.owner.id === userId)
}

/**
 * No one is signed in any more (a session ended, or the server says no one
 * is): every copy holding nothing unsaved goes, and the list of boards. Those
 * holding unsaved changes stay for their owner's next sign-in.
 */
export function forgetSavedCopies(): Promise<void> {
  localStorage.removeItem(BOARD_LIST_KEY)
  return deleteCopies((copy) => !copy.unsaved)
}

/** A board this person can no longer open (removed, or the board deleted): its copy goes. */
export function forgetCopy(userId: string, boardId: string): Promise<void> {
  return deleteCopies((copy) => copy.owner.id === userId && copy.boardId === boardId)
}

type SavedBoardList = { userId: string; boards: BoardListing[] }

function readBoardList(): SavedBoardList | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(BOARD_LIST_KEY) ?? 'null')
    if (typeof parsed !== 'object' || parsed === null) return null
    const { userId, boards } = parsed as Record<string, unknown>
    return typeof userId === 'string' && Array.isArray(boards) ? { userId, boards: boards as BoardListing[] } : null
  } catch {
    return null
  }
}

function savedBoardListOwner(): string | null {
  return readBoardList()?.userId ?? null
}

/** The last list of boards this person saw here: empty if it is someone else's. */
export function savedBoardList(userId: string): BoardListing[] {
  const saved = readBoardList()
  return saved?.userId === userId ? saved.boards : []
}

/** Keeps the person's list of boards. */
export function saveBoardList(userId: string, boards: BoardListing[]): void {
  localStorage.setItem(BOARD_LIST_KEY, JSON.stringify({ userId, boards } satisfies SavedBoardList))
}
