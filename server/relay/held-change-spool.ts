/**
 * The files of HTTP changes answered `202` (SavingDelayed) whose commit has not
 * yet completed, in DATA_DIR/held-changes: one a change, written and fsynced
 * (the file, then its folder) before the `202` is sent, removed once the change
 * is committed. Unlike a websocket client's edits, which its client keeps and
 * sends again, such a change has no other copy than this process's memory; the
 * file outlives a crash, and the next start on the same DATA_DIR commits it
 * (held-change-replay.ts). Bounded in count and bytes (HELD_CHANGES_MAX,
 * HELD_CHANGES_MAX_BYTES), and each person to a share of both
 * (HELD_CHANGES_PERSON_SHARE_PERCENT), so that a few people sending large
 * changes while the database refuses writes cannot leave everyone else's
 * change unkept: past either, or when the file cannot be written, the change
 * is answered 503 rather than promised (http/saving-delayed.ts).
 *
 * A file is `<sha256 of the body, hex>\n<body>`, the body a JSON object: read
 * back at the next start as hostile input (a truncated write, a disk error, or
 * anyone with access to the folder), its size bounded before it is read and
 * its digest checked before it is parsed.
 *
 * Each file names the deployment its change was promised on (its database's
 * identity, DeploymentStore.identity): a DATA_DIR started once on another
 * database (a DATABASE_URL forgotten, or another one) must leave it for a
 * start on its own, where its board is, rather than find the board missing
 * there and set it aside for good. A file of version 1 names none (written
 * before files did): it is replayed on whatever database the server starts on.
 */
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { lstat, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { SqliteFileLock } from '../storage/sqlite-serving-lock.ts'

/** One update a change applied, and its origin as the update log stores it (`server` or `server:<who>`, commit-log.ts). */
export type HeldEntry = { update: Uint8Array; origin: string }

/** A held change: what it applied to its board, and who sent it through which route (never its path, which may hold a token). */
export type HeldChange = { boardId: string; accountId: string | null; route: string; at: string; entries: HeldEntry[] }

/** The spool refused to keep a change: full, or its file could not be written. */
export class SpoolRefused extends Error {
  override name = 'SpoolRefused'
}

/** The spool refused a change because its sender's files would pass their share of the bounds; others' changes are still kept. */
export class SpoolShareSpent extends SpoolRefused {
  override name = 'SpoolShareSpent'
}

/** A spool file that cannot be read back as a held change: why. */
export class DamagedHeldFile extends Error {
  override name = 'DamagedHeldFile'
}

export const HELD_CHANGES_FOLDER = 'held-changes'
/** Where files refused at replay, damaged or no longer allowed, are moved for an operator. */
export const REFUSED_FOLDER = 'refused'
const SUFFIX = '.held'
const SPOOL_LOCK_FILE_NAME = 'spool.lock'
/** A file being written: its change was never answered 202 (a crash came first). */
const WRITING = '.writing'

const DIGEST_CHARS = 64

const heldFields = {
  boardId: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64).nullable(),
  route: z.string().min(1).max(512),
  at: z.string().max(64),
  entries: z
    .array(
      z.strictObject({
        origin: z.string().max(600).regex(/^server(:.*)?$/s, 'is not a server-side change’s origin'),
        update: z.base64(),
      }),
    )
    .min(1)
    .max(10_000),
}

/** Version 1: written before a file named its deployment (replayed wherever the server starts); 2: names it. */
const heldBody = z.discriminatedUnion('version', [
  z.strictObject({ version: z.literal(1), ...heldFields }),
  z.strictObject({ version: z.literal(2), deployment: z.string().min(1).max(1024), ...heldFields }),
])

/** A left-over file read back: its change, its bytes, and the deployment it was promised on (null: a file of version 1, which names none). */
export type HeldFile = { change: HeldChange; bytes: number; deployment: string | null }

/** `sharePercent`: the part of each bound, in percent, one person's files may take (100: all of it). */
export type SpoolLimits = { maxChanges: number; maxBytes: number; sharePercent: number }

/** What the bounds count of the files kept: all of them, or one person's. */
type Tally = { changes: number; bytes: number }

/** The key of a person's tally: changes of nobody signed in (none today, but the file allows it) share one. */
const personKey = (accountId: string | null) => accountId ?? ''

/**
 * Resolves once what the database has committed so far would survive a power
 * cut (null: once committed, it would). On SQLite with `synchronous = NORMAL` a
 * commit is written to the WAL but not fsynced: a file removed right after it
 * could be gone while its change is not (sqliteCommitsDurable).
 */
export type CommitsDurable = (() => Promise<void>) | null

/** Changes kept by this process: orders two kept in the same millisecond as they were kept. */
let keptCount = 0

export class HeldChangeSpool {
  readonly folder: string
  /** Files kept now, with their bytes and sender: what the bounds count. */
  private readonly kept = new Map<string, { bytes: number; person: string }>()
  private readonly total: Tally = { changes: 0, bytes: 0 }
  private readonly byPerson = new Map<string, Tally>()
  /** Files of another deployment the replay at start left in the folder (held-change-replay.ts), shown as a metric. */
  otherDeploymentFiles = 0
  /** The spool's lock, once taken (claim): one process at a time keeps and replays its files. */
  private claiming: Promise<SqliteFileLock | null> | null = null

  /**
   * `deployment`: the identity of the deployment this process serves (DeploymentStore.identity), written into each
   * file it keeps.
   */
  constructor(
    dataDir: string,
    private readonly limits: SpoolLimits,
    readonly deployment: string,
    private readonly commitsDurable: CommitsDurable = null,
  ) {
    this.folder = join(dataDir, HELD_CHANGES_FOLDER)
  }

  /**
   * Writes `change` to a file of its own, fsynced with its folder, and resolves
   * with its name; rejects with SpoolRefused when the spool is full or the
   * write failed (nothing is left named as a held change then).
   */
  async keep(change: HeldChange): Promise<string> {
    const text = encodeHeld(change, this.deployment)
    const bytes = Buffer.byteLength(text)
    const { maxChanges, maxBytes, sharePercent } = this.limits
    if (passes(this.total, bytes, maxChanges, maxBytes)) {
      throw new SpoolRefused(
        `the held-changes spool is full (${this.total.changes} changes, ${this.total.bytes} bytes; HELD_CHANGES_MAX ${maxChanges}, HELD_CHANGES_MAX_BYTES ${maxBytes})`,
      )
    }
    const own = this.byPerson.get(personKey(change.accountId)) ?? { changes: 0, bytes: 0 }
    const shareChanges = Math.max(1, Math.floor((maxChanges * sharePercent) / 100))
    const shareBytes = Math.floor((maxBytes * sharePercent) / 100)
    if (passes(own, bytes, shareChanges, shareBytes)) {
      throw new SpoolShareSpent(
        `its sender's share of the held-changes spool is spent (${own.changes} changes, ${own.bytes} bytes; HELD_CHANGES_PERSON_SHARE_PERCENT ${sharePercent} of HELD_CHANGES_MAX ${maxChanges} and HELD_CHANGES_MAX_BYTES ${maxBytes})`,
      )
    }
    // Ordered by name as they were kept, replayed in that order: a card created, then its field set, in the same millisecond
    // too (the count); the UUID sets apart two processes' names (instances on PostgreSQL sharing a folder's name elsewhere).
    keptCount++
    const name = `${Date.now().toString().padStart(15, '0')}-${keptCount.toString().padStart(12, '0')}-${randomUUID()}${SUFFIX}`
    // Counted before the write: two changes kept at once must not pass the bounds together.
    this.count(name, bytes, change.accountId)
    const writing = join(this.folder, name + WRITING)
    try {
      await this.claim()
      await writeSynced(writing, text)
      await rename(writing, join(this.folder, name))
      await syncFolder(this.folder)
    } catch (error) {
      this.forget(name)
      await unlink(writing).catch(() => undefined)
      throw new SpoolRefused(`its file could not be written in ${this.folder}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    return name
  }

  /**
   * Removes a file once its change is stored, and its commit would survive a
   * power cut (commitsDurable). The removal is not fsynced: a file that comes
   * back after a power cut is committed again at the next start, and a Yjs
   * update applied twice stores nothing the second time.
   */
  async remove(name: string): Promise<void> {
    // Counted until removed: on a failure here the file stays, and is replayed at the next start.
    await this.commitsDurable?.()
    this.forget(name)
    await unlink(join(this.folder, name)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    })
  }

  /**
   * The files left by an earlier process, oldest first (those being written too: none was answered 202). Rejects with
   * SpoolRefused while another live process holds the spool: its files are its own.
   */
  async leftOver(): Promise<string[]> {
    // No folder, nothing left: a DATA_DIR whose server never held a change gets none.
    if (!existsSync(this.folder)) return []
    await this.claim()
    const names = await readdir(this.folder)
    return names.filter((name) => name.endsWith(SUFFIX) || name.endsWith(SUFFIX + WRITING)).sort()
  }

  /** Whether no change is kept now (none answered 202 and unsaved, none replayed and unsaved). */
  get idle(): boolean {
    return this.total.changes === 0
  }

  /** Lets the spool's lock go: another process may keep and replay its files from now on. */
  async release(): Promise<void> {
    const claiming = this.claiming
    this.claiming = null
    await (await claiming?.catch(() => null))?.release()
  }

  /**
   * Takes the spool's lock (an OS file lock that goes with its process, even
   * by SIGKILL: sqlite-serving-lock.ts), once: two processes on one DATA_DIR
   * (instances on PostgreSQL given the same folder) would otherwise replay,
   * and remove, the files of a change the other still holds. Kept on the file
   * at its name as a server's serving lock is: deleted under this process, it
   * is created again and locked within a second.
   */
  private async claim(): Promise<void> {
    this.claiming ??= this.takeLock()
    const claiming = this.claiming
    const lock = await claiming.catch((error: unknown) => {
      if (this.claiming === claiming) this.claiming = null
      throw error
    })
    if (lock) return
    // Tried again at the next change: the other process may be gone by then.
    if (this.claiming === claiming) this.claiming = null
    throw new SpoolRefused(`another server process holds the held-changes spool ${this.folder}; each instance needs a DATA_DIR of its own`)
  }

  /**
   * One try of the lock, told of its loss once: claim() runs at every change kept, and a handler registered there
   * each time piled up one per change for as long as the lock was held.
   */
  private takeLock(): Promise<SqliteFileLock | null> {
    const claiming = import('../storage/sqlite-serving-lock.ts').then(({ trySqliteServingLock }) => {
      const lock = trySqliteServingLock(this.folder, 'exclusive', { fileName: SPOOL_LOCK_FILE_NAME, kept: true })
      // Lost to another process that took the lock file put at its name: refused from the next change on, as when refused at first.
      lock?.onTakenAway(() => {
        if (this.claiming === claiming) this.claiming = null
      })
      return lock
    })
    return claiming
  }

  /** Reads a left-over file as a held change; rejects with DamagedHeldFile, naming why, when it is not one. */
  async read(name: string): Promise<HeldFile> {
    if (name.endsWith(WRITING)) throw new DamagedHeldFile('it was being written when its process ended: its change was never answered 202')
    const path = join(this.folder, name)
    const stat = await lstat(path)
    if (!stat.isFile()) throw new DamagedHeldFile('it is not a regular file')
    if (stat.size > this.limits.maxBytes) throw new DamagedHeldFile(`it holds ${stat.size} bytes, past HELD_CHANGES_MAX_BYTES (${this.limits.maxBytes})`)
    return { ...decodeHeld(await readFile(path, 'utf8')), bytes: stat.size }
  }

  /**
   * The deployment a file read back was promised on when it is another than this process's (not this process's to
   * replay, nor to set aside); null for one of its own, or of version 1 (which names none).
   */
  otherDeployment(file: HeldFile): string | null {
    return file.deployment !== this.deployment ? file.deployment : null
  }

  /** Moves a left-over file aside into `refused/` (or the spool's subfolder `into`), for an operator; resolves with where it went. */
  async setAside(name: string, into = REFUSED_FOLDER): Promise<string> {
    const folder = join(this.folder, into)
    await mkdir(folder, { recursive: true, mode: 0o700 })
    const to = join(folder, name)
    await rename(join(this.folder, name), to)
    await syncFolder(folder)
    return to
  }

  /** A left-over file being replayed counts against the bounds, and its sender's share, as one kept now does, until it is removed. */
  adopt(name: string, bytes: number, accountId: string | null): void {
    this.count(name, bytes, accountId)
  }

  private count(name: string, bytes: number, accountId: string | null): void {
    const person = personKey(accountId)
    this.kept.set(name, { bytes, person })
    const own = this.byPerson.get(person) ?? { changes: 0, bytes: 0 }
    this.byPerson.set(person, own)
    for (const tally of [this.total, own]) {
      tally.changes++
      tally.bytes += bytes
    }
  }

  private forget(name: string): void {
    const file = this.kept.get(name)
    if (file === undefined) return
    this.kept.delete(name)
    const own = this.byPerson.get(file.person)
    for (const tally of [this.total, own]) {
      if (!tally) continue
      tally.changes--
      tally.bytes -= file.bytes
    }
    if (own?.changes === 0) this.byPerson.delete(file.person)
  }
}

/** Whether one more file of `bytes` would take `tally` past `maxChanges` files or `maxBytes` bytes. */
function passes(tally: Tally, bytes: number, maxChanges: number, maxBytes: number): boolean {
  return tally.changes + 1 > maxChanges || tally.bytes + bytes > maxBytes
}

function encodeHeld(change: HeldChange, deployment: string): string {
  const body = JSON.stringify({
    version: 2,
    deployment,
    boardId: change.boardId,
    accountId: change.accountId,
    route: change.route,
    at: change.at,
    entries: change.entries.map(({ origin, update }) => ({ origin, update: Buffer.from(update).toString('base64') })),
  })
  return `${digest(body)}\n${body}`
}

function decodeHeld(text: string): Omit<HeldFile, 'bytes'> {
  const newline = text.indexOf('\n')
  if (newline !== DIGEST_CHARS) throw new DamagedHeldFile('it does not start with its digest (truncated or not a held change)')
  const body = text.slice(newline + 1)
  if (digest(body) !== text.slice(0, newline)) throw new DamagedHeldFile('its content does not match its digest (truncated or altered)')
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (error) {
    throw new DamagedHeldFile(`its body is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const checked = heldBody.safeParse(parsed)
  if (!checked.success) throw new DamagedHeldFile(`its body is not a held change: ${checked.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`)
  const { boardId, accountId, route, at, entries } = checked.data
  return {
    change: { boardId, accountId, route, at, entries: entries.map(({ origin, update }) => ({ origin, update: new Uint8Array(Buffer.from(update, 'base64')) })) },
    deployment: checked.data.version === 2 ? checked.data.deployment : null,
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

async function writeSynced(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx', 0o600)
  try {
    await file.writeFile(text)
    await file.sync()
  } finally {
    await file.close()
  }
}

/** fsync of a folder: the name of a file renamed into it survives a power cut. */
async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r')
  try {
    await folder.sync()
  } finally {
    await folder.close()
  }
}
