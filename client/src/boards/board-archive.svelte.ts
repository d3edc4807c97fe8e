/** Whether the live board is archived, and by whom: the board page learns it with the person's role, the banner and the store read it. */
export class BoardArchive {
  archivedAt = $state<string | null>(null)
  archivedBy = $state<string | null>(null)

  get archived(): boolean {
    return this.archivedAt !== null
  }

  set(board: { archivedAt: string | null; archivedBy: string | null }): void {
    this.archivedAt = board.archivedAt
    this.archivedBy = board.archivedBy
  }
}
