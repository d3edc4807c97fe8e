/**
 * When someone's rights shrink or change, their open sockets must not keep the
 * old ones: the relay decided the role at the upgrade. Closing them makes the
 * client reconnect, and the upgrade decides again.
 */
import { CLOSE } from '../../shared/protocol.ts'
import type { Services } from '../services.ts'

/** Whose sockets: a person's (every credential of theirs) or one API token's. */
export type SocketSelector = ({ userId: string; tokenId?: undefined } | { tokenId: string; userId?: undefined }) & {
  /** Only the sockets of this board. */
  boardId?: string
}

/** Closes them on every instance; returns how many were open on this one. */
export function closeSocketsOf(services: Services, who: SocketSelector): number {
  return services.rooms.closeConnections(who, CLOSE.accessChanged)
}
