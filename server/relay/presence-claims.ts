/**
 * Whose each awareness client id of a room is: the account that first held it
 * there, for as long as the room lives, and then in the board's next room
 * (presence-handover.ts: after a reset, or an idle unload). Everyone on a board sees everyone's
 * client ids, so an id remembered only while its page was away a moment let a
 * reviewer take an editor's once her laptop had slept half a minute: her page
 * came back under that id, refused, connected yet invisible to everyone.
 *
 * Bounded per account, not per room: a person's claims beyond
 * CLAIMS_PER_ACCOUNT drop that person's own least recently used, so nobody can
 * push anyone else's out by claiming many ids; the room holds at most that
 * many for each account that has been in it.
 */

/**
 * Client ids one account keeps claimed in a room. The stock client draws one
 * per page load, and keeps it across reconnects: a person's 64 most recent
 * pages in the room's life keep theirs.
 */
export const CLAIMS_PER_ACCOUNT = 64

/** Client id → account, oldest first, as handed to the board's next room after a reset or an idle unload. */
export type ClaimList = ReadonlyMap<number, string>

export class PresenceClaims {
  private readonly holders = new Map<number, string>()
  /** Each account's client ids, least recently claimed first. */
  private readonly byAccount = new Map<string, Set<number>>()

  constructor(previous: ClaimList = new Map()) {
    for (const [clientId, userId] of previous) this.claim(clientId, userId)
  }

  /** The account the client id is claimed by, if any. */
  holderOf(clientId: number): string | undefined {
    return this.holders.get(clientId)
  }

  /**
   * Notes `userId` as the client id's account, or as using it once more. It
   * is taken from whoever held it: the caller decides who may.
   */
  claim(clientId: number, userId: string): void {
    const previous = this.holders.get(clientId)
    if (previous !== undefined && previous !== userId) this.byAccount.get(previous)?.delete(clientId)
    let mine = this.byAccount.get(userId)
    if (!mine) this.byAccount.set(userId, (mine = new Set()))
    mine.delete(clientId)
    mine.add(clientId)
    this.holders.set(clientId, userId)
    if (mine.size <= CLAIMS_PER_ACCOUNT) return
    const oldest = mine.values().next().value!
    mine.delete(oldest)
    this.holders.delete(oldest)
  }

  list(): ClaimList {
    return new Map([...this.byAccount.values()].flatMap((ids) => [...ids].map((clientId): [number, string] => [clientId, this.holders.get(clientId)!])))
  }
}
