/**
 * Who wrote under each Yjs client id of a board: the account whose update
 * first advanced it. Yjs ties nothing to a client id: whoever sends the next
 * clock of someone's id takes their place, and her own edits made offline
 * under it are then dropped wherever the other's arrived first, her page
 * diverged for good. So an update that would advance a client id someone else
 * wrote is refused (`otherWriter`), and when another instance relays other
 * content under ids written here, the person who wrote them can be named
 * apart from the relayed update's author.
 *
 * Known whenever the room decides: the ids a connection's update is the first
 * to write under go to the update log with it, in the transaction that stores
 * it (storage.ts, FirstWrites), and the room loads them with the board, so
 * neither an idle unload nor a restart forgets them; of two instances giving
 * one id to two accounts, the second's commit is refused (ClientIdTaken) and
 * its room reset. Bounded per account, not per room: an account's ids beyond
 * WRITER_IDS_PER_ACCOUNT (once WRITER_IDS_SLACK past it) drop its own oldest,
 * so that nobody can push anyone else's out, the server's never
 * (SERVER_WRITER); and one update may write under at most
 * NEW_CLIENTS_PER_UPDATE ids nobody wrote before.
 *
 * Another instance's commits tell who it stored as each id's first writer
 * (relayed-commit.ts), the server's own ids included, and a catch-up from the
 * log reads the stored writers: nothing is guessed from who made a commit.
 * Only a message from an instance of an earlier version, which tells its
 * authors alone, leaves a guess: a commit of one author is taken for that
 * author's ids (`guess`), and the first commit here writing under one of them
 * stores it as its writer's again (`record`'s `toConfirm`), so that the
 * database, which holds the id's true writer (SERVER_WRITER for an instance's
 * stamps, written inside a member's update), refuses it (ClientIdTaken) if the
 * guess was wrong.
 */
import * as Y from 'yjs'
import { SERVER_WRITER, trimsWriterIds, WRITER_IDS_PER_ACCOUNT, WRITER_IDS_SLACK, type ClientWriter, type FirstWrites } from '../storage/storage.ts'
import type { DecodedUpdate } from './rewritten-ids.ts'

/**
 * Client ids nobody wrote before that one update may write under. The stock
 * client writes under one per page load; a page reloaded offline keeps what
 * each load typed in its offline copy (y-indexeddb), each under that load's
 * id, and sends it all in one update once back online, refused whole if past
 * this: 64 loads' worth, a long shift's and more. It bounds what one update
 * costs the relay's thread: storing that many writers, and at most one drop
 * of the account's oldest (WRITER_IDS_SLACK).
 */
export const NEW_CLIENTS_PER_UPDATE = 64

/**
 * Client ids nobody wrote before that one person may bring to the boards of
 * this instance an hour (IncomingRates). Every id stays in its board's
 * document for good, in every state vector a page sends and is sent: one
 * editor bringing 16 an update as fast as she could send took a board from 1
 * id to 18,743 in minutes (a state vector of 112 KB, a fresh sync over a
 * second). A page brings one a load that writes; an analyst opening boards
 * all day brings a few dozen an hour.
 */
export const NEW_CLIENTS_PER_HOUR = 256

/** Why an update may not be applied as its sender's, or null when it may. */
export type WriterRefusal = { reason: string } | null

/**
 * What an update applied as `record`'s writer wrote: `fresh`, the ids nobody
 * wrote before, now its writer's; `toConfirm`, ids guessed its writer's
 * (`guess`) whose first write here is to be stored as theirs, for the
 * database to compare with the writer it holds.
 */
export type RecordedWrites = { fresh: number[]; toConfirm: number[] }

export class ClientWriters {
  private readonly writers = new Map<number, string>()
  /** Each account's client ids, oldest first. */
  private readonly byAccount = new Map<string, Set<number>>()
  /** Ids whose writer was guessed from an earlier version's relayed commit, not yet confirmed by a commit here. */
  private readonly guessed = new Set<number>()

  /**
   * `stored`: the board's writers as stored (UpdateLogStore.writers).
   * `presenceHolderOf`: the account whose page holds a client id's presence,
   * if any: nobody else may be the first to write under it.
   */
  constructor(
    stored: readonly ClientWriter[] = [],
    private readonly presenceHolderOf: (clientId: number) => string | null = () => null,
  ) {
    for (const { clientId, userId } of stored) this.note(clientId, userId)
    for (const userId of this.byAccount.keys()) this.trim(userId)
  }

  /**
   * Runs `apply`, then notes `userId` as the writer of each of `clients` (the
   * ids whose structs the applied update lists) whose clock it advanced and
   * that nobody wrote before; returns those, in the order storage keeps them
   * (by id within an update), so that the account's oldest dropped here are
   * those dropped there, and the guessed ids of `userId` it advanced, which
   * count as confirmed from then on. Listing another's structs the doc holds
   * already writes nothing. Only the update's own clients are read, not the
   * doc's every one.
   */
  record(doc: Y.Doc, clients: Iterable<number>, userId: string, apply: () => void): RecordedWrites {
    const before = [...clients].map((client) => [client, Y.getState(doc.store, client)] as const)
    apply()
    const fresh: number[] = []
    const toConfirm: number[] = []
    for (const [client, clock] of before) {
      if (Y.getState(doc.store, client) === clock) continue
      if (!this.writers.has(client)) fresh.push(client)
      else if (this.writers.get(client) === userId && this.guessed.delete(client)) toConfirm.push(client)
    }
    fresh.sort((a, b) => a - b)
    for (const client of fresh) this.note(client, userId)
    this.trim(userId)
    return { fresh, toConfirm }
  }

  /** `record` for a relayed commit of one author that tells no first writes (an earlier version's): its fresh ids are guessed that author's. */
  guess(doc: Y.Doc, clients: Iterable<number>, userId: string, apply: () => void): void {
    for (const client of this.record(doc, clients, userId, apply).fresh) this.guessed.add(client)
  }

  /** Notes the writers the database holds (a relayed commit's first writes, the stored writers a catch-up read): they replace what was known or guessed of those ids. */
  noteStored(writers: Iterable<ClientWriter>): void {
    const accounts = new Set<string>()
    for (const { clientId, userId } of writers) {
      const known = this.writers.get(clientId)
      if (known !== undefined && known !== userId) this.byAccount.get(known)?.delete(clientId)
      this.guessed.delete(clientId)
      this.note(clientId, userId)
      accounts.add(userId)
    }
    for (const userId of accounts) this.trim(userId)
  }

  /**
   * Why an update listing structs up to `runEnds` (client → the clock after
   * its last) may not be `userId`'s: it would advance a client id someone
   * else wrote, or whose presence someone else's page holds, or more ids
   * nobody wrote before than an update may, or than `freshAllowed` (what is
   * left of its sender's hour); null when it may.
   */
  refusal(doc: Y.Doc, runEnds: ReadonlyMap<number, number>, userId: string, freshAllowed: number): WriterRefusal {
    let fresh = 0
    for (const [client, end] of runEnds) {
      const writer = this.writers.get(client)
      if (writer === userId || end <= Y.getState(doc.store, client)) continue
      if (writer !== undefined) return { reason: `update writes under client id ${client}, which another member wrote` }
      const holder = this.presenceHolderOf(client)
      if (holder !== null && holder !== userId) return { reason: `update writes under client id ${client}, whose presence another member holds` }
      if (++fresh > NEW_CLIENTS_PER_UPDATE) return { reason: `update writes under more than ${NEW_CLIENTS_PER_UPDATE} client ids nobody wrote before` }
      if (fresh > freshAllowed) return { reason: `update writes under more client ids nobody wrote before than its sender may bring this hour (${NEW_CLIENTS_PER_HOUR})` }
    }
    return null
  }

  /** The room was the first to write under `client`, one of its own (server-client-ids.ts). */
  noteServer(client: number): void {
    this.note(client, SERVER_WRITER)
  }

  /** The client ids an update listing structs up to `runEnds` advances that nobody wrote before (`refusal` passed it). */
  freshIn(doc: Y.Doc, runEnds: ReadonlyMap<number, number>): number[] {
    const fresh: number[] = []
    for (const [client, end] of runEnds) if (!this.writers.has(client) && end > Y.getState(doc.store, client)) fresh.push(client)
    return fresh
  }

  /** The person who wrote `client`'s content, if known. */
  writerOf(client: number): string | null {
    return this.writers.get(client) ?? null
  }

  private note(client: number, userId: string): void {
    this.writers.set(client, userId)
    let mine = this.byAccount.get(userId)
    if (!mine) this.byAccount.set(userId, (mine = new Set()))
    mine.add(client)
  }

  /**
   * Once `userId` holds more than WRITER_IDS_SLACK past WRITER_IDS_PER_ACCOUNT
   * ids, drops its oldest down to WRITER_IDS_PER_ACCOUNT, as the stored
   * writers do after each update; never the server's (trimsWriterIds), which
   * another instance's relayed commits name too.
   */
  private trim(userId: string): void {
    const mine = this.byAccount.get(userId)
    if (!mine || !trimsWriterIds(userId) || mine.size <= WRITER_IDS_PER_ACCOUNT + WRITER_IDS_SLACK) return
    for (const oldest of mine) {
      if (mine.size <= WRITER_IDS_PER_ACCOUNT) return
      mine.delete(oldest)
      this.writers.delete(oldest)
      this.guessed.delete(oldest)
    }
  }
}

/** The writers `firstWrites` name, one an id. */
export function writersOf(firstWrites: readonly FirstWrites[]): ClientWriter[] {
  return firstWrites.flatMap(({ userId, clients }) => clients.map((clientId) => ({ clientId, userId })))
}

/** The client ids whose structs a decoded update lists. */
export function updateClients({ structs }: DecodedUpdate): Set<number> {
  return new Set(structs.map((struct) => struct.id.client))
}
