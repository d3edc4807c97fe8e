/**
 * When someone's rights shrink or change, their open sockets must not keep the
 * old ones: the relay decided the role at the upgrade. Closing them makes the
 * client reconnect, and the upgrade decides again.
 */
import { CLOSE } from '../../shared/protocol.ts'
import type { ControlMessage } from '../relay/control-message.ts'
import type { ConnectionSelector } from '../relay/connection-selector.ts'
import type { RoomRegistry } from '../relay/room-registry.ts'

/**
 * The word that closes them on every instance, made before the change: it goes
 * in the `tells` of the change's audit entry, so that PostgreSQL sends it as
 * the change commits, and once committed RoomRegistry.closeConnectionsToldInCommit
 * closes them here and tells the rest.
 */
export function closingSocketsOf(rooms: Pick<RoomRegistry, 'closingToTell'>, who: ConnectionSelector): ControlMessage {
  return rooms.closingToTell(who, CLOSE.accessChanged)
}
