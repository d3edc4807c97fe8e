/**
 * The steps Yjs's Item.integrate (yjs/src/structs/Item.js) will take to place
 * an update's items, counted before the update is applied. An item inserted
 * where other items went in unseen by its writer (the same origin, or items
 * after it) is placed by walking those others, one step each, so an update's
 * cost grows with the square of such items: 40 pages typing 250 characters
 * each backwards at one place made a board that held the relay's thread 6.3
 * to 6.8 s to load, and one more frame 0.5 s to apply, on budgets that
 * counted a few hundred KB (BENCHMARKS.md). The count replays Yjs's placing:
 * the order integrateStructs takes the update's structs in, the splits
 * getItemCleanEnd and getItemCleanStart make, and the walk itself, over the
 * room's items as they are linked and the update's as they are placed, so it
 * is Yjs's count. The room's items are read only where a walk or a neighbour
 * reaches them: a keystroke beside its neighbours takes no step and reads
 * nothing but them. The count stops past `bound`.
 */
import * as Y from 'yjs'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

/** A stretch of one item as Yjs holds it after the splits so far: a room's item read lazily, or an update's item placed. */
type Piece = {
  client: number
  clock: number
  length: number
  origin: Y.ID | null
  rightOrigin: Y.ID | null
  /** The list it lies in and its key there; undefined for a room's item until read. */
  list?: List | null
  key: string | null
  /** Neighbours; undefined: as the room's item holds them (only at the ends of a room's item). */
  left?: Piece | null
  right?: Piece | null
  /** The room's item it is part of, or null for an update's. */
  held: Y.Item | null
}

/** A list of items (a text, an array) or a map's keys, of a type the room holds or the update creates. */
type List = { type: Y.AbstractType<unknown> | null; start?: Piece | null; lastOfKey: Map<string, Piece | null> }

/** The count passed the bound it was asked to stop at. */
class PastBound extends Error {}

/** The steps Yjs will take placing the items of `decoded` into `doc`, or `bound + 1` where they pass `bound`. */
export function integrationSteps(doc: Y.Doc, decoded: DecodedUpdate, bound: number): number {
  const counting = new IntegrationCount(doc, decoded.structs, bound)
  try {
    counting.run()
  } catch (error) {
    if (error instanceof PastBound) return bound + 1
    throw error
  }
  return counting.steps
}

class IntegrationCount {
  steps = 0
  private readonly pieces = new Map<Y.Item, Piece[]>()
  private readonly lists = new Map<unknown, List>()
  /** Each client's clock after what is held or placed so far. */
  private readonly states = new Map<number, number>()
  /** The update's items by client, in clock order, found by binary search. */
  private readonly updateItems = new Map<number, Y.Item[]>()

  constructor(
    private readonly doc: Y.Doc,
    private readonly structs: DecodedUpdate['structs'],
    private readonly bound: number,
  ) {}

  /** integrateStructs's order: the highest client first, a struct whose neighbour is missing after the next struct of that neighbour's client. */
  run(): void {
    const refs = new Map<number, { structs: DecodedUpdate['structs']; next: number }>()
    for (const struct of this.structs) {
      const entry = refs.get(struct.id.client)
      if (entry) entry.structs.push(struct)
      else refs.set(struct.id.client, { structs: [struct], next: 0 })
      if (struct instanceof Y.Item) {
        const items = this.updateItems.get(struct.id.client)
        if (items) items.push(struct)
        else this.updateItems.set(struct.id.client, [struct])
      }
    }
    const clients = [...refs.keys()].sort((a, b) => a - b)
    const nextTarget = () => {
      while (clients.length > 0 && refs.get(clients[clients.length - 1]!)!.next === refs.get(clients[clients.length - 1]!)!.structs.length) clients.pop()
      return clients.length === 0 ? null : refs.get(clients[clients.length - 1]!)!
    }
    let target = nextTarget()
    if (target === null) return
    let head = target.structs[target.next++]!
    const stack: DecodedUpdate['structs'] = []
    // Yjs sets aside what waits for content nobody sent, and those clients' rest: nothing of them is placed now. Their
    // structs are marked used up, as Yjs drops their refs, in a step a client: a client's every struct set aside in
    // turn, or the list of clients filtered at each, made the count cost clients × structs (a review's crafted update
    // of 20,000 clients held a worker 14 s).
    const setAside = () => {
      for (const struct of stack) {
        const waiting = refs.get(struct.id.client)!
        waiting.next = waiting.structs.length
      }
      stack.length = 0
    }
    for (;;) {
      if (!(head instanceof Y.Skip)) {
        const offset = this.state(head.id.client) - head.id.clock
        if (offset < 0) {
          stack.push(head)
          setAside()
        } else {
          const missing = head instanceof Y.Item ? this.missing(head) : null
          if (missing !== null) {
            stack.push(head)
            const missingRefs = refs.get(missing)
            if (!missingRefs || missingRefs.next === missingRefs.structs.length) setAside()
            else {
              head = missingRefs.structs[missingRefs.next++]!
              continue
            }
          } else if (offset < head.length) {
            if (head instanceof Y.Item) this.integrate(head, offset)
            this.states.set(head.id.client, head.id.clock + head.length)
          }
        }
      }
      const popped = stack.pop()
      if (popped) head = popped
      else if (target !== null && target.next < target.structs.length) head = target.structs[target.next++]!
      else {
        target = nextTarget()
        if (target === null) return
        head = target.structs[target.next++]!
      }
    }
  }

  private state(client: number): number {
    let state = this.states.get(client)
    if (state === undefined) {
      state = Y.getState(this.doc.store, client)
      this.states.set(client, state)
    }
    return state
  }

  /** Item.getMissing: the client of a neighbour or parent not held or placed yet, of another client. */
  private missing(item: Y.Item): number | null {
    const { origin, rightOrigin, parent } = item
    if (origin && origin.client !== item.id.client && origin.clock >= this.state(origin.client)) return origin.client
    if (rightOrigin && rightOrigin.client !== item.id.client && rightOrigin.clock >= this.state(rightOrigin.client)) return rightOrigin.client
    if (parent instanceof Y.ID && parent.client !== item.id.client && parent.clock >= this.state(parent.client)) return parent.client
    return null
  }

  /** Item.integrate, counting its walk: `offset` units of the item were held already. */
  private integrate(item: Y.Item, offset: number): void {
    const clock = item.id.clock + offset
    const originId = offset > 0 ? Y.createID(item.id.client, clock - 1) : item.origin
    const origin = originId ? this.cleanEnd(originId) : null
    const right = item.rightOrigin ? this.cleanStart(item.rightOrigin) : null
    // A neighbour collected: Yjs keeps the item as a collected struct, placed nowhere; one not found is not Yjs's to place either.
    if (origin === 'collected' || right === 'collected' || (originId && origin === null) || (item.rightOrigin && right === null)) return
    const placed = this.landing(item, origin, right)
    if (placed === null) return
    const { list, key } = placed
    const piece: Piece = { client: item.id.client, clock, length: item.length - offset, origin: origin ? Y.createID(origin.client, origin.clock + origin.length - 1) : null, rightOrigin: right ? Y.createID(right.client, right.clock) : null, list, key, held: null }
    let left = origin
    if ((origin === null && (right === null || this.leftOf(right) !== null)) || (origin !== null && this.rightOf(origin) !== right)) {
      left = this.walk(piece, origin, right)
    }
    this.link(piece, left)
    const pieces = [piece]
    this.pieces.set(item, pieces)
  }

  /** The conflicting items Item.integrate walks from its left to its right origin, each a step: the item's left once placed. */
  private walk(piece: Piece, origin: Piece | null, right: Piece | null): Piece | null {
    let left = origin
    let o = origin !== null ? this.rightOf(origin) : piece.key !== null ? this.firstOfKey(piece.list!, piece.key) : this.start(piece.list!)
    const conflicting = new Set<Piece>()
    const beforeOrigin = new Set<Piece>()
    while (o !== null && o !== right) {
      this.step()
      beforeOrigin.add(o)
      conflicting.add(o)
      if (Y.compareIDs(piece.origin, o.origin)) {
        if (o.client < piece.client) {
          left = o
          conflicting.clear()
        } else if (Y.compareIDs(piece.rightOrigin, o.rightOrigin)) break
      } else {
        const oOrigin = o.origin === null ? null : this.find(o.origin)
        if (oOrigin === null || oOrigin === 'collected' || !beforeOrigin.has(oOrigin)) break
        if (!conflicting.has(oOrigin)) {
          left = o
          conflicting.clear()
        }
      }
      o = this.rightOf(o)
    }
    return left
  }

  /** Links a placed piece after `left`, as Item.integrate does (a map's key walked to its first value where there is no left). */
  private link(piece: Piece, left: Piece | null): void {
    const list = piece.list!
    piece.left = left
    if (left !== null) {
      piece.right = this.rightOf(left)
      left.right = piece
    } else if (piece.key !== null) {
      piece.right = this.firstOfKey(list, piece.key)
    } else {
      piece.right = this.start(list)
      list.start = piece
    }
    if (piece.right !== null) piece.right.left = piece
    else if (piece.key !== null) list.lastOfKey.set(piece.key, piece)
  }

  /** The first value of a map's key, walking from its last as Yjs does, each a step. */
  private firstOfKey(list: List, key: string): Piece | null {
    let o = this.lastOfKey(list, key)
    while (o !== null && this.leftOf(o) !== null) {
      this.step()
      o = this.leftOf(o)
    }
    return o
  }

  private step(): void {
    if (++this.steps > this.bound) throw new PastBound()
  }

  /** Where an item goes (Item.getMissing): its named parent, or its neighbour's; null where Yjs places it nowhere. */
  private landing(item: Y.Item, origin: Piece | null, right: Piece | null): { list: List; key: string | null } | null {
    const parent = item.parent as unknown
    if (parent === null) {
      const neighbour = origin ?? right
      const list = neighbour && this.listOf(neighbour)
      return list ? { list, key: neighbour!.key } : null
    }
    let list: List | null = null
    if (typeof parent === 'string') list = this.rootList(parent)
    else if (parent instanceof Y.ID) list = this.createdList(parent)
    return list && { list, key: item.parentSub }
  }

  private rootList(name: string): List {
    const type: Y.AbstractType<unknown> | null = (this.doc.share.get(name) as Y.AbstractType<unknown> | undefined) ?? null
    return this.listFor(type ?? name, type)
  }

  /** The list of the type the item at `id` creates, held or placed; null where it is none (Yjs collects what goes into it). */
  private createdList(id: Y.ID): List | null {
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const held = Y.getItem(this.doc.store, id)
      return held instanceof Y.Item && held.content instanceof Y.ContentType ? this.listFor(held.content.type, held.content.type) : null
    }
    const created = this.updateItem(id)
    return created && created.content instanceof Y.ContentType ? this.listFor(created, null) : null
  }

  private listFor(key: unknown, type: Y.AbstractType<unknown> | null): List {
    let list = this.lists.get(key)
    if (!list) {
      list = { type, lastOfKey: new Map() }
      this.lists.set(key, list)
    }
    return list
  }

  /** The list a piece lies in, read from the room's item for one of the room's. */
  private listOf(piece: Piece): List | null {
    if (piece.list === undefined) {
      const parent = piece.held!.parent
      piece.list = parent instanceof Y.AbstractType ? this.listFor(parent, parent) : null
    }
    return piece.list
  }

  private start(list: List): Piece | null {
    if (list.start === undefined) list.start = this.firstPiece(list.type?._start ?? null)
    return list.start
  }

  private lastOfKey(list: List, key: string): Piece | null {
    let last = list.lastOfKey.get(key)
    if (last === undefined) {
      last = this.lastPiece(list.type?._map.get(key) ?? null)
      list.lastOfKey.set(key, last)
    }
    return last
  }

  private rightOf(piece: Piece): Piece | null {
    if (piece.right === undefined) piece.right = this.firstPiece(piece.held!.right instanceof Y.Item ? piece.held!.right : null)
    return piece.right
  }

  private leftOf(piece: Piece): Piece | null {
    if (piece.left === undefined) piece.left = this.lastPiece(piece.held!.left instanceof Y.Item ? piece.held!.left : null)
    return piece.left
  }

  private firstPiece(item: Y.Item | null): Piece | null {
    return item && this.piecesOfHeld(item)[0]!
  }

  private lastPiece(item: Y.Item | null): Piece | null {
    if (item === null) return null
    const pieces = this.piecesOfHeld(item)
    return pieces[pieces.length - 1]!
  }

  private piecesOfHeld(item: Y.Item): Piece[] {
    let pieces = this.pieces.get(item)
    if (!pieces) {
      pieces = [{ client: item.id.client, clock: item.id.clock, length: item.length, origin: item.origin, rightOrigin: item.rightOrigin, key: item.parentSub, held: item }]
      this.pieces.set(item, pieces)
    }
    return pieces
  }

  /** The update's item holding `id`, placed or not. */
  private updateItem(id: Y.ID): Y.Item | null {
    const items = this.updateItems.get(id.client)
    const index = items ? indexHolding(items, id.clock, (item) => item.id.clock) : -1
    return index < 0 ? null : items![index]!
  }

  /** Y.getItem: the piece holding `id`, held or placed; 'collected' for a collected struct; null where nothing holds it yet. */
  private find(id: Y.ID): Piece | 'collected' | null {
    let pieces: Piece[] | undefined
    if (id.clock < Y.getState(this.doc.store, id.client)) {
      const held = Y.getItem(this.doc.store, id)
      if (!(held instanceof Y.Item)) return 'collected'
      pieces = this.piecesOfHeld(held)
    } else {
      const item = this.updateItem(id)
      pieces = item ? this.pieces.get(item) : undefined
    }
    if (!pieces) return null
    const index = indexHolding(pieces, id.clock, clockOfPiece)
    return index < 0 ? null : pieces[index]!
  }

  /** getItemCleanEnd: the piece ending at `id`, split there. */
  private cleanEnd(id: Y.ID): Piece | 'collected' | null {
    const piece = this.find(id)
    if (piece === null || piece === 'collected') return piece
    if (id.clock !== piece.clock + piece.length - 1) this.split(piece, id.clock - piece.clock + 1)
    return piece
  }

  /** getItemCleanStart: the piece starting at `id`, split there. */
  private cleanStart(id: Y.ID): Piece | 'collected' | null {
    const piece = this.find(id)
    if (piece === null || piece === 'collected' || id.clock === piece.clock) return piece
    return this.split(piece, id.clock - piece.clock)
  }

  /** splitItem: the piece's part from `offset` on, linked after it. */
  private split(piece: Piece, offset: number): Piece {
    // Read before the split: the neighbour's link to the piece is then the piece's own.
    const right = this.rightOf(piece)
    this.listOf(piece)
    const rest: Piece = { client: piece.client, clock: piece.clock + offset, length: piece.length - offset, origin: Y.createID(piece.client, piece.clock + offset - 1), rightOrigin: piece.rightOrigin, list: piece.list, key: piece.key, left: piece, right, held: piece.held }
    piece.length = offset
    piece.right = rest
    if (right !== null) right.left = rest
    else if (rest.key !== null && rest.list) rest.list.lastOfKey.set(rest.key, rest)
    const pieces = this.pieces.get(piece.held ?? this.updateItem(Y.createID(piece.client, piece.clock))!)!
    pieces.splice(indexHolding(pieces, piece.clock, clockOfPiece) + 1, 0, rest)
    return rest
  }
}

function clockOfPiece(piece: Piece): number {
  return piece.clock
}

/** The index of the stretch of `stretches` (in clock order, each from `clockOf` on for its length) holding `clock`, by binary search; -1 where none does. */
function indexHolding<T extends { length: number }>(stretches: readonly T[], clock: number, clockOf: (stretch: T) => number): number {
  let [low, high] = [0, stretches.length - 1]
  while (low <= high) {
    const middle = (low + high) >>> 1
    const stretch = stretches[middle]!
    if (clock < clockOf(stretch)) high = middle - 1
    else if (clock >= clockOf(stretch) + stretch.length) low = middle + 1
    else return middle
  }
  return -1
}
