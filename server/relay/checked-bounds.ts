/**
 * What names the rules the load repair brings a board within (load-repair.ts),
 * kept with each board's last check (storage.ts, BoundsCheck): a board last
 * checked under other rules is checked whole again as it loads. Worked out
 * from what the rules read (the shared schemas as JSON Schema, the limits, the
 * keys an entry's schema names, the growth bound, the document's version), so
 * that a release changing any of them checks every board again without anyone
 * having to remember it. BOUNDS_REVISION is raised by hand when a rule's code
 * changes what it refuses where none of those show it (a new kind of check).
 *
 * A check is kept only for a load that read every row up to its last
 * (completeThrough: on PostgreSQL a row numbered before one read may still be
 * on its way in, and would come first in the next load's order, standing
 * where the check saw other content), and that repaired nothing: a repair's
 * change is not yet stored, and the next load looks at it and keeps the check.
 */
import { createHash } from 'node:crypto'
import * as Y from 'yjs'
import { z } from 'zod'
import { ASSESSMENT_TEXT_FIELDS, COLLECTIONS, META_STRING_KEYS, SCHEMA_VERSION } from '../../shared/board-doc.ts'
import { acknowledgementSchema, boardModelSchema, ENTITY_SCHEMAS } from '../../shared/board-model.ts'
import { canonicalJson } from '../../shared/canonical-json.ts'
import { ENTRY_KEYS } from '../../shared/entry-keys.ts'
import { LIMITS } from '../../shared/limits.ts'
import type { BoundsCheck, StoredBoardState } from '../storage/storage.ts'
import type { LoadRepair } from './load-repair.ts'
import { TEXT_GROWTH_BOUND } from './text-lengths.ts'

/** Raised when the rules change in a way the schemas and limits below do not show. */
const BOUNDS_REVISION = 1

let named: string | undefined

/** The rules' name: the same on every instance of one release, another once a rule changes. Worked out once (10 to 50 ms: the registry does it as it is made, not at a board's load). */
export function checkedBounds(): string {
  named ??= createHash('sha256').update(canonicalJson(boundsRead())).digest('hex').slice(0, 32)
  return named
}

function boundsRead(): unknown {
  const schema = (of: z.ZodType) => z.toJSONSchema(of, { unrepresentable: 'any', io: 'input' })
  return {
    revision: BOUNDS_REVISION,
    schemaVersion: SCHEMA_VERSION,
    growth: TEXT_GROWTH_BOUND,
    limits: LIMITS,
    collections: COLLECTIONS,
    settings: META_STRING_KEYS,
    texts: ASSESSMENT_TEXT_FIELDS,
    entryKeys: Object.fromEntries([...ENTRY_KEYS].map(([name, keys]) => [name, [...keys].sort()])),
    entities: Object.fromEntries(Object.entries(ENTITY_SCHEMAS).map(([name, entity]) => [name, schema(entity as z.ZodType)])),
    board: schema(boardModelSchema),
    acknowledgement: schema(acknowledgementSchema),
  }
}

/** What the load repair may pass over: the items of the board's last check under today's rules (`bounds`, checkedBounds), as a state vector; undefined to look at all. */
export function checkedBefore(last: BoundsCheck | null, bounds: string): Map<number, number> | undefined {
  return last !== null && last.bounds === bounds ? Y.decodeStateVector(last.stateVector) : undefined
}

/**
 * The check to keep under `bounds` once the board, loaded as `loaded` (its state vector as
 * read from storage, before the load's own changes), was repaired as `repair`;
 * null when none is to be kept, or the one kept already says as much.
 */
export function checkToKeep(bounds: string, loaded: Uint8Array, last: BoundsCheck | null, repair: LoadRepair, stored: Pick<StoredBoardState, 'completeThrough' | 'lastSeq'>): BoundsCheck | null {
  if (stored.completeThrough < stored.lastSeq || repair.keys + repair.entries + repair.values + repair.texts > 0) return null
  if (last !== null && last.bounds === bounds && Buffer.compare(last.stateVector, loaded) === 0) return null
  return { bounds, stateVector: loaded }
}
