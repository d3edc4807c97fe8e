/**
 * Whose work a job is, so that the worker pool serves people in turn and
 * bounds what one person has running or waiting (worker-pool.ts). Set once for
 * each API request, once its caller is known (`asJobOwner`), and read by the
 * pool when a job is asked for, so that none of the calls in between (a board
 * read, an export, a comparison) has to carry it. Work the server does of
 * itself (compaction, automatic snapshots) runs `asServer`, also when a
 * person's change set it off, so that it is never counted against them.
 * Once a store is set, Node 20 tracks it through every promise; the relay's
 * cost per keystroke showed nothing of it (the comparison bench with a store
 * set in the measured process: 1.18× / 1.29× / 1.27× the reference server's
 * CPU at 10 / 50 / 200 readers, without one 1.20× / 1.46× / 1.38×, noise).
 */
import { AsyncLocalStorage } from 'node:async_hooks'

const owners = new AsyncLocalStorage<string>()

export function asJobOwner<T>(owner: string, work: () => T): T {
  return owners.run(owner, work)
}

export function asServer<T>(work: () => T): T {
  return owners.exit(work)
}

/** The person whose request is being served, or null for the server's own work. */
export function jobOwner(): string | null {
  return owners.getStore() ?? null
}
