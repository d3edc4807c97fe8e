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

/**
 * Why the update is refused (the first such item), or null. Each reference
 * is looked at in turn, with nothing built: a list of the three, made and
 * iterated for each item, cost a keystroke some 14,000 instructions on the
 * relay's thread, as much as the rest of its check's first steps (BENCHMARKS.md).
 */
export function forwardReference({ structs }: DecodedUpdate): string | null {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue
    const later = laterReference(struct)
    if (later) return `update's item ${struct.id.client}:${struct.id.clock} names as its ${later.role} ${later.named.client}:${later.named.clock}, which its own client writes only after it`
  }
  return null
}

/** The first of the item's neighbours and parent that is a struct of its own client at or after it, or null. */
function laterReference({ id, origin, rightOrigin, parent }: Y.Item): { role: string; named: Y.ID } | null {
  if (namesLater(id, origin)) return { role: 'origin', named: origin }
  if (namesLater(id, rightOrigin)) return { role: 'right origin', named: rightOrigin }
  if (parent instanceof Y.ID && namesLater(id, parent)) return { role: 'parent', named: parent }
  return null
}

function namesLater(id: Y.ID, named: Y.ID | null): named is Y.ID {
  return named !== null && named.client === id.client && named.clock >= id.clock
}
