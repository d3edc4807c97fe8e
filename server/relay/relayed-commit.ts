/**
 * What follows a committed update's payload on a board's Redis channel: who
 * made it, and who the committing instance stored as the first writer of each
 * client id it wrote first (Commit). Each part comes after the one before, so
 * that an instance of an earlier version, mid rolling deployment, reads what
 * it knows and ignores the rest; one of this version reads none of what such
 * an instance's messages lack (`firstWrites` null: remote-updates.ts then
 * takes a commit of one author for the writer of the ids it wrote first, and
 * has the database confirm it: client-writers.ts).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { FirstWrites } from '../storage/storage.ts'
import type { Commit } from './commit-log.ts'

/** A relayed commit's authors, and its first writes when its sender tells them. */
export type RelayedWriters = { authors: string[]; firstWrites: FirstWrites[] | null }

export function writeRelayedWriters(encoder: encoding.Encoder, { authors, firstWrites }: Pick<Commit, 'authors' | 'firstWrites'>): void {
  encoding.writeVarUint(encoder, authors.length)
  for (const author of authors) encoding.writeVarString(encoder, author)
  encoding.writeVarUint(encoder, firstWrites.length)
  for (const { userId, clients } of firstWrites) {
    encoding.writeVarString(encoder, userId)
    encoding.writeVarUint(encoder, clients.length)
    for (const client of clients) encoding.writeVarUint(encoder, client)
  }
}

export function readRelayedWriters(decoder: decoding.Decoder): RelayedWriters {
  if (!decoding.hasContent(decoder)) return { authors: [], firstWrites: null }
  const authors = readList(decoder, () => decoding.readVarString(decoder))
  if (!decoding.hasContent(decoder)) return { authors, firstWrites: null }
  const firstWrites = readList(decoder, () => ({ userId: decoding.readVarString(decoder), clients: readList(decoder, () => decoding.readVarUint(decoder)) }))
  return { authors, firstWrites }
}

function readList<T>(decoder: decoding.Decoder, read: () => T): T[] {
  const count = decoding.readVarUint(decoder)
  const list: T[] = []
  for (let index = 0; index < count; index++) list.push(read())
  return list
}
