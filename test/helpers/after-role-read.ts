import type { Role } from '../../shared/roles.ts'
import type { Storage } from '../../server/storage/storage.ts'

/** Runs `meanwhile` once, right after the server next reads `userId`'s role on a board, before it goes on. */
export class AfterRoleRead {
  private armed: { userId: string; meanwhile: () => Promise<void> } | null = null

  arm(userId: string, meanwhile: () => Promise<void>): void {
    this.armed = { userId, meanwhile }
  }

  get fired(): boolean {
    return this.armed === null
  }

  wrap = (storage: Storage): Storage => {
    const role = storage.members.role.bind(storage.members)
    storage.members.role = async (boardId: string, userId: string): Promise<Role | undefined> => {
      const read = await role(boardId, userId)
      const armed = this.armed
      if (armed?.userId === userId) {
        this.armed = null
        await armed.meanwhile()
      }
      return read
    }
    return storage
  }
}
