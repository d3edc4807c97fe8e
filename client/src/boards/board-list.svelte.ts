/**
 * The boards a person can open, archived ones included (the page decides what
 * to show). The last list seen is kept in this browser so that a board opened
 * while the server is unreachable still knows the person's role on it.
 */
import { api } from '../app/api.ts'
import { saveBoardList, savedBoardList } from '../app/offline-copies.ts'
import type { BoardListing } from '../../../shared/board-listing.ts'
import { errorMessage } from '../../../shared/error-message.ts'

/** The person's boards as the server lists them now, kept in this browser as theirs. */
export async function fetchBoards(userId: string): Promise<BoardListing[]> {
  const boards = await api<BoardListing[]>('GET', '/api/boards?archived=include')
  saveBoardList(userId, boards)
  return boards
}

export class BoardList {
  readonly #userId: string
  boards: BoardListing[] = $state.raw([])
  loaded = $state(false)
  error = $state<string | null>(null)

  /** Shows this person's last list seen here (never another account's) until the server answers. */
  constructor(userId: string) {
    this.#userId = userId
    this.boards = savedBoardList(userId)
  }

  async refresh(): Promise<void> {
    try {
      this.boards = await fetchBoards(this.#userId)
      this.error = null
    } catch (problem) {
      this.error = errorMessage(problem)
    } finally {
      this.loaded = true
    }
  }

  async create(title: string): Promise<string> {
    const created = await api<{ id: string }>('POST', '/api/boards', { title })
    await this.refresh()
    return created.id
  }

  async archive(boardId: string): Promise<void> {
    await api('POST', `/api/boards/${encodeURIComponent(boardId)}/archive`)
    await this.refresh()
  }

  /** Takes the board out of the archive: listed and editable again. */
  async unarchive(boardId: string): Promise<void> {
    await api('DELETE', `/api/boards/${encodeURIComponent(boardId)}/archive`)
    await this.refresh()
  }

  async delete(boardId: string): Promise<void> {
    await api('DELETE', `/api/boards/${encodeURIComponent(boardId)}`)
    await this.refresh()
  }
}
