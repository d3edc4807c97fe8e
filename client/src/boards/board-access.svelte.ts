import { ApiProblem } from '../app/api.ts'
import type { Role } from '../../../shared/roles.ts'
import { errorMessage } from '../../../shared/error-message.ts'
import { fetchBoards } from './board-list.svelte.ts'

/**
 * The person's role on a board, read from their board list, for the pages
 * that show a version of it other than the live one (a snapshot, a past time).
 */
export class BoardAccess {
  readonly boardId: string
  readonly #userId: string
  role = $state<Role | null>(null)
  /** `no-access` when the board is not among theirs; otherwise why the list could not be read. */
  problem = $state<'no-access' | string | null>(null)

  constructor(boardId: string, userId: string) {
    this.boardId = boardId
    this.#userId = userId
  }

  async resolve(): Promise<void> {
    try {
      const board = (await fetchBoards(this.#userId)).find((b) => b.id === this.boardId)
      this.role = board?.role ?? null
      this.problem = board ? null : 'no-access'
    } catch (error) {
      // A 401 is the session ending, which signs the person out; nothing to say here.
      if (!(error instanceof ApiProblem && error.status === 401)) this.problem = errorMessage(error)
    }
  }
}
