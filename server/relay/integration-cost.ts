/**
 * What the steps Yjs takes placing an update's items among items inserted at
 * the same places unseen (integration-steps.ts) cost, and how many one update
 * may take. Each step costs the relay's thread as the update is applied, and
 * again as every later load of the board applies the row that holds it (a
 * board's rows are applied in the order they were written), while the
 * update's bytes, what its sender was charged for, stay a few bytes an item:
 * 40 pages each typing 250 characters backwards at one place, stored as 40
 * rows of some 3 KB, took 48.75 million steps to load, 6.3 to 6.8 s of the
 * thread, and the 41st page's frame 0.5 s to apply (BENCHMARKS.md).
 */

/**
 * The steps one update may take Yjs to place its items. A step took some
 * 135 ns of Yjs's apply on a quiet machine (the 40 pages' load), 290 ns and
 * up on the shared one (bench/integration-steps.ts), and about as long to
 * count beforehand: at this bound an update takes at most some 20 ms to apply and
 * 35 ms to count. Honest edits take none or a few: typing, deleting, pasting,
 * an input method's revisions and undo put each item beside the neighbours
 * its page saw; only items others inserted at the same place meanwhile are
 * walked, a handful when two people type at one place at once.
 */
export const MAX_INTEGRATION_STEPS_PER_UPDATE = 65_536

/**
 * The bytes of an ordinary update a step counts for against what its sender
 * may send a second (IncomingRates.chargeWork, as the walks along runs of
 * marks are): counting it and Yjs's walk take some 2 to 4 times a byte's
 * 200 ns.
 */
export const WORK_BYTES_PER_INTEGRATION_STEP = 2

/**
 * The bytes of a person's hour (WRITTEN_BYTES_PER_HOUR_PER_PERSON, 16 MiB) a
 * step counts for: it is taken again at every load, as a struct a root type
 * holds is (ROOT_STRUCT_BYTES prices some 2.5 µs of load at 1 KiB). At
 * 64 bytes, a person's hour places some 262,000 steps, some 35 to 76 ms of a
 * later load: the board of 48.75 million steps takes some 186 person-hours,
 * and a frame at the bound 4 MiB of its sender's hour. Two people typing at
 * one place at once pay a few hundred bytes a keystroke.
 */
export const WRITTEN_BYTES_PER_INTEGRATION_STEP = 64

/** What `steps` cost against what their sender may send a second. */
export function integrationWorkInBytes(steps: number): number {
  return steps * WORK_BYTES_PER_INTEGRATION_STEP
}

/** What `steps` count for against their sender's hour of written bytes. */
export function integrationWrittenBytes(steps: number): number {
  return steps * WRITTEN_BYTES_PER_INTEGRATION_STEP
}
