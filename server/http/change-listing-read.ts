/**
 * A listing of who changed which assessment field (`GET /history/changes`),
 * read as the other costly history reads are (history-reads.ts): within the
 * person's and the instance's reads in flight, identical listings computed
 * once and the encoded answer kept until the log changes, its bytes counted
 * against what the person may load a minute (loaded-bytes.ts). Read afresh
 * on every request, one reviewer's 16 listings in flight of 5,000 changes
 * each (4.7 MB, parsed and encoded on the relay's thread) held /healthz at
 * 1,037 ms (p99) and took the server from 149 to 465 MiB.
 */
import type { Context } from 'hono'
import type { AssessmentChange, Author } from '../../shared/history-model.ts'
import { AuthorNames } from '../history/authors.ts'
import { readAssessmentChanges } from '../history/change-listing.ts'
import type { Services } from '../services.ts'
import type { AssessmentChangeRecord, ChangeFilter } from '../storage/storage.ts'
import type { BoardEnv } from './app-env.ts'
import { historyRead } from './board-history-read.ts'
import { jsonBytes, jsonText, type JsonBytes, type JsonText } from './json-text.ts'
import { loadingPayer } from './loaded-bytes.ts'

export type ChangeListingFilter = Omit<ChangeFilter, 'throughSeq' | 'before'>

/** The encoded listing and whether it holds every change that matches. */
export type SentListing = { body: JsonBytes<AssessmentChange[]>; complete: boolean }

/**
 * A listing as kept: encoded under the names its authors had then, with each
 * change's origin (in order) to name them anew should an account be renamed
 * before the log next changes.
 */
type KeptListing = SentListing & { origins: string[]; names: Record<string, Author> }

/** The caller's listing, refused before anything is read once they have loaded as much as they may this minute. */
export async function listChanges(c: Context<BoardEnv>, filter: ChangeListingFilter): Promise<SentListing> {
  const { services, board } = c.var
  const payer = loadingPayer(c, `a listing of board ${board.id}'s changes`)
  // Times come normalized (toISOString) from the query's schema: one listing asked in two notations is one read.
  const parameters = JSON.stringify([filter.assessmentId ?? null, filter.from ?? null, filter.to ?? null, filter.limit])
  const kept = await historyRead(c, 'changes', parameters, () => encodedListing(services, board.id, filter))
  const body = await namedNow(services, kept)
  payer?.didLoad(body.byteLength)
  return { body, complete: kept.complete }
}

async function encodedListing(services: Pick<Services, 'storage' | 'tailChanges'>, boardId: string, filter: ChangeListingFilter): Promise<KeptListing> {
  const { changes, complete } = await readAssessmentChanges(services, boardId, filter)
  const origins = changes.map((change) => change.author)
  const names = await namesOf(services, origins)
  return { body: encoded(changes, names), complete, origins, names }
}

/** The kept bytes while every author's name is as it was when they were encoded; else the listing encoded under today's names. */
async function namedNow(services: Pick<Services, 'storage'>, kept: KeptListing): Promise<JsonBytes<AssessmentChange[]>> {
  const names = await namesOf(services, Object.keys(kept.names))
  const renamed = Object.entries(names).some(([origin, author]) => author.userId !== kept.names[origin]?.userId || author.name !== kept.names[origin]?.name)
  if (!renamed) return kept.body
  const changes = JSON.parse(kept.body.toString('utf8')) as AssessmentChange[]
  return jsonBytes(jsonText(changes.map((change, index) => ({ ...change, by: names[kept.origins[index]!]! }))))
}

async function namesOf(services: Pick<Services, 'storage'>, origins: readonly string[]): Promise<Record<string, Author>> {
  const names = new AuthorNames(services.storage)
  return Object.fromEntries(await Promise.all([...new Set(origins)].map(async (origin) => [origin, await names.of(origin)] as const)))
}

/**
 * The listing's JSON, its values the JSON text stored (compaction's and the
 * worker's JSON.stringify), put in as they are: parsed and encoded again, a
 * listing's 4 million characters of values held the relay's thread in one
 * piece each way.
 */
function encoded(changes: readonly AssessmentChangeRecord[], names: Record<string, Author>): JsonBytes<AssessmentChange[]> {
  const text = (value: string) => JSON.stringify(value)
  const items = changes.map(
    (change) =>
      `{"assessmentId":${text(change.assessmentId)},"field":${text(change.field)},"from":${change.fromValue},"to":${change.toValue},"by":${JSON.stringify(names[change.author])},"firstAt":${text(change.firstAt)},"at":${text(change.at)}}`,
  )
  return jsonBytes(`[${items.join(',')}]` as JsonText<AssessmentChange[]>)
}
