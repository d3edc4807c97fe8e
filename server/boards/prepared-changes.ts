/**
 * Changes worked out in a worker thread on the board as stored (an import, a
 * restore) and then applied as one update take their turn, one board at a
 * time: each is worked out on what the one before it stored, never on the
 * same state as another one, whose update it would then be merged with.
 */
const turns = new Map<string, Promise<unknown>>()

/** Runs `change` once every change `inTurn` was given for `boardId` before it has settled. */
export function inTurn<T>(boardId: string, change: () => Promise<T>): Promise<T> {
  const next = (turns.get(boardId) ?? Promise.resolve()).then(change, change)
  turns.set(boardId, next)
  const forget = () => {
    if (turns.get(boardId) === next) turns.delete(boardId)
  }
  next.then(forget, forget)
  return next
}
