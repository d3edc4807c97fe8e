/**
 * Rights taken away, told to the other instances through PostgreSQL as well as
 * through Redis (redis-fan-out.ts): an instance cut off Redis holds its control
 * messages until it is back, while the sockets the change concerns may be open
 * on instances that are not, and went on writing for as long as the outage
 * (or the periodic re-check, RIGHTS_RECHECK_INTERVAL_MS) lasted. The instances
 * share the database anyway, and the one that took the right away commits
 * the change there. So each control message is also sent with `pg_notify`:
 * in the change's own transaction when the change names it (the `tells` of
 * its audit entry, server/storage/pg-audited.ts), which PostgreSQL delivers
 * as it commits, whatever becomes of the deciding instance then; otherwise
 * (a session's expiry or sign-out) once the change is committed, from here.
 * Each instance hears them on its listening connection (pg-listener.ts),
 * handing them to the same handler as Redis' (RelayControl.applyControlMessage,
 * which leaves the second copy alone). On every (re)listen, the instance
 * decides its sockets' rights again from the database (rights-recheck.ts), as
 * after resubscribing to Redis: PostgreSQL keeps no notification for a session
 * that was not listening.
 */
import { RIGHTS_CHANNEL } from '../storage/pg-audited.ts'
import { encodeControlMessage, readControlMessage, type ControlMessage } from './control-message.ts'
import type { PgNotifications } from './pg-listener.ts'
import type { RelayControl, RoomExtension } from './room-extension.ts'

export class PgRightsChannel implements RoomExtension {
  readonly name = 'pg-rights-channel'
  private relay: RelayControl | null = null

  constructor(private readonly listener: PgNotifications) {
    listener.hear(RIGHTS_CHANNEL, {
      received: (payload) => this.relay?.applyControlMessage(readControlMessage(payload)),
      // A listen after a gap also has the upgrades in flight read their rights again.
      listened: (afterGap) => this.relay?.recheckRightsHere(afterGap),
    })
  }

  onAttached(relay: RelayControl): void {
    this.relay = relay
  }

  onClosingConnections(message: ControlMessage, toldInCommit: boolean): void {
    if (!toldInCommit) this.listener.notify(RIGHTS_CHANNEL, encodeControlMessage(message))
  }
}
