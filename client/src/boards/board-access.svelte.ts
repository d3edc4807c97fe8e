import { ApiProblem } from '../app/api.ts'
import { forgetCopy, savedBoardList } from '../app/offline-copies.ts'
import type { BoardListing } from '../../../shared/board-listing.ts'
import type { Role } from '../../../shared/roles.ts'
import { errorMessage } from '../../../shared/error-message.ts'
import { fetchBoards } from './board-list.svelte.ts'

/**
 * The person's access to a board, read from their board list: the live board
 * opens with the role and archive state found there, a snapshot or a past time
 * shows with the role.
 */
export class BoardAccess {
  readonly boardId: string
  readonly #userId: string
  /** The board as the person's list has it, or as this browser last saw it while the server is out of reach. */
  board = $state<BoardListing | null>(null)
  /** `no-access` when the board is not among theirs; otherwise why the list could not be read. */
  problem = $state<'no-access' | string | null>(null)

  constructor(boardId: string, userId: string) {
    this.boardId = boardId
    this.#userId = userId
  }

  get role(): Role | null {
    return this.board?.role ?? null
  }

  async resolve(): Promise<void> {
    try {
      const board = (await fetchBoards(this.#userId)).find((b) => b.id === this.boardId)
      this.board = board ?? null
      this.problem = board ? null : 'no-access'
      // Removed from the board (or it was deleted): what this browser kept of it goes too.
      if (!board) forgetCopy(this.#userId, this.boardId).catch((error: unknown) => console.error('The offline copy of a board no longer open to this person could not be deleted', error))
    } catch (error) {
      // Unreachable server: the board as last seen lets the offline copy open.
      const cached = savedBoardList(this.#userId).find((b) => b.id === this.boardId)
      if (error instanceof ApiProblem && error.offline && cached) this.board ??= cached
      // A 401 is the session ending, which signs the person out; nothing to say here.
      else if (!(error instanceof ApiProblem && error.status === 401)) this.problem = errorMessage(error)
    }
  }
}
