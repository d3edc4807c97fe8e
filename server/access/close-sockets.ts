/**
 * When someone's rights shrink or change, their open sockets must not keep the
 * old ones: the relay decided the role at the upgrade. Closing them makes the
 * client reconnect, and the upgrade decides again.
 */
import { CLOSE } from '../../shared/protocol.ts'
import type { ConnectionSelector } from '../relay/connection-selector.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'

/** Closes them on every instance; returns how many were open on this one. */
export function closeSocketsOf(rooms: Pick<RoomRegistry, 'closeConnections'>, who: ConnectionSelector): number {
  return rooms.closeConnections(who, CLOSE.accessChanged)
}
