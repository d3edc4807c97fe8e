/**
 * Whose work a job is, so that the worker pool serves people in turn and
 * bounds what one person has running or waiting and the worker time they
 * spend (worker-pool.ts). Set once for each API request, once its caller is
 * known (`asJobOwner`), and read by the pool when a job is asked for, so that
 * none of the calls in between (a board read, an export, a comparison) has to
 * carry it. Work the server does of itself (compaction, automatic snapshots)
 * runs `asServer`, also when a person's change set it off, so that it is never
 * counted against them.
 * The request's abort signal travels with it: a job of a request whose client
 * has gone is dropped from the queue, or stopped. Work whose answer several
 * readers share (a board read kept until it changes, a history read others
 * join) runs `asSharedWork`, without it: the first reader leaving must not
 * take the others' answer with it.
 * Work that reads a whole version of a board for a job takes its owner's job
 * slot before it reads (WorkerPool.holdingSlot) and runs `inHeldSlot`: its job
 * runs in that slot, not counted again.
 * Once a store is set, Node 20 tracks it through every promise; the relay's
 * cost per keystroke showed nothing of it (the comparison bench with a store
 * set in the measured process: 1.18× / 1.29× / 1.27× the reference server's
 * CPU at 10 / 50 / 200 readers, without one 1.20× / 1.46× / 1.38×, noise).
 */
import { AsyncLocalStorage } from 'node:async_hooks'

/** `slotHeld`: the work holds one of its owner's job slots already (WorkerPool.holdingSlot), which its jobs run in. */
type JobContext = { owner: string; signal: AbortSignal | undefined; slotHeld?: boolean }

const contexts = new AsyncLocalStorage<JobContext>()

/** `signal`: aborted once nobody waits for the work's answer any more (the request's client has gone). */
export function asJobOwner<T>(owner: string, work: () => T, signal?: AbortSignal): T {
  return contexts.run({ owner, signal }, work)
}

export function asServer<T>(work: () => T): T {
  return contexts.exit(work)
}

/** Work whose answer others may come to share: still its owner's, but never stopped for one of them leaving. */
export function asSharedWork<T>(work: () => T): T {
  const context = contexts.getStore()
  return context ? contexts.run({ ...context, signal: undefined }, work) : work()
}

/** Work that holds one of its owner's job slots: the jobs it asks for run in that slot rather than taking others. */
export function inHeldSlot<T>(work: () => T): T {
  const context = contexts.getStore()
  return context ? contexts.run({ ...context, slotHeld: true }, work) : work()
}

/** True within inHeldSlot. */
export function slotHeld(): boolean {
  return contexts.getStore()?.slotHeld === true
}

/** The person whose request is being served, or null for the server's own work. */
export function jobOwner(): string | null {
  return contexts.getStore()?.owner ?? null
}

/** Aborted once the request the work is for has nobody waiting for it; undefined for shared and the server's own work. */
export function jobSignal(): AbortSignal | undefined {
  return contexts.getStore()?.signal
}
