/**
 * Items that name, as their neighbour or parent, a struct of their own client
 * that comes at or after them. A client writes each item after everything it
 * refers to, so what it refers to of its own has an earlier clock, and Yjs
 * counts on it: it checks whether another client's neighbour or parent has
 * come (holding the item until it does), but looks one of the item's own
 * client up directly, and throws when it is not there. An update whose item
 * named a later struct of its own client as its parent threw halfway through
 * Yjs's apply, after the structs before it were integrated: the room's
 * document was then in an unknown state, and one frame from any editor reset
 * the board for everyone on it (room.ts, `reset`). Only a hostile client sends
 * them.
 */
import * as Y from 'yjs'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** Why the update is refused (the first such item), or null. */
export function forwardReference({ structs }: DecodedUpdate): string | null {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue
    const { id, origin, rightOrigin, parent } = struct
    for (const [role, named] of [
      ['origin', origin],
      ['right origin', rightOrigin],
      ['parent', parent instanceof Y.ID ? parent : null],
    ] as const) {
      if (named !== null && named.client === id.client && named.clock >= id.clock) {
        return `update's item ${id.client}:${id.clock} names as its ${role} ${named.client}:${named.clock}, which its own client writes only after it`
      }
    }
  }
  return null
}
