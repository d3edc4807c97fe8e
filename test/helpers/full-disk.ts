/**
 * A full disk, two ways: a real tmpfs of a few MiB that a test fills with a
 * ballast file and empties again (mounting needs root), and a storage whose
 * writes fail exactly as SQLite's do on a full disk while reads still work,
 * which runs anywhere.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Storage } from '../../server/storage/storage.ts'

export type SmallDisk = {
  path: string
  /** Writes a ballast file that leaves about `leaveBytes` free. */
  fill(leaveBytes: number): void
  /** Deletes the ballast: space returns. */
  empty(): void
  unmount(): void
}

export function mountSmallDisk(sizeMiB: number): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), 'assay-small-disk-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', path])
  const ballast = join(path, 'ballast')
  return {
    path,
    fill(leaveBytes) {
      const { bavail, bsize } = statfsSync(path)
      writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)))
    },
    empty() {
      rmSync(ballast, { force: true })
    },
    unmount() {
      execFileSync('umount', [path])
      rmSync(path, { recursive: true, force: true })
    },
  }
}

/** Store methods that write: their names start with one of these. */
const WRITES = /^(create|append|compact|add|set|delete|remove|rename|touch|revoke|prune)/

/** Wraps a storage so that, while `full` is set, every write fails with SQLITE_FULL, as on a full disk. */
export class FullDisk {
  full = false

  wrap = (storage: Storage): Storage => {
    const failing = <Store extends object>(store: Store) => this.failingWrites(store)
    return {
      ...storage,
      boards: failing(storage.boards),
      log: failing(storage.log),
      snapshots: failing(storage.snapshots),
      reviews: failing(storage.reviews),
      users: failing(storage.users),
      sessions: failing(storage.sessions),
      tokens: failing(storage.tokens),
      members: failing(storage.members),
      invites: failing(storage.invites),
      audit: failing(storage.audit),
    }
  }

  private failingWrites<Store extends object>(store: Store): Store {
    return new Proxy(store, {
      get: (target, key, receiver) => {
        const value: unknown = Reflect.get(target, key, receiver)
        if (typeof value !== 'function' || typeof key !== 'string' || !WRITES.test(key)) return value
        return (...args: unknown[]) => {
          if (this.full) return Promise.reject(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'))
          return Reflect.apply(value, target, args)
        }
      },
    })
  }
}
