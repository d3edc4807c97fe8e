/**
 * The live content hash a person's review status compares with the signed-off
 * snapshot's (LiveContentHashes): a working-out it sets off is paid for as
 * theirs, from what they may load a minute. Null when it cannot be worked out
 * for them now (their minute spent, the worker threads busy): the review then
 * reads as changed since (boardReview), never as covering a board nobody compared.
 */
import type { Principal } from '../access/access.ts'
import type { Services } from '../services.ts'

export function liveHashFor(services: Pick<Services, 'liveContentHashes' | 'rooms'>, principal: Principal, boardId: string): Promise<string | null> {
  const payer = principal.userId === null ? null : services.rooms.ratesOf(principal.userId)
  return services.liveContentHashes.of(boardId, payer).catch(() => null)
}
