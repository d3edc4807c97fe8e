/**
 * The board's yardstick (ICD 203 or PHIA) changes only through its settings
 * (PATCH /api/boards/:id), where a change that restates the judgments'
 * probability ranges must be confirmed, is kept on the board, written to the
 * audit log and noted in the briefing (shared/yardstick-change.ts). The app
 * never writes the profile over the websocket; an editor's own client that
 * set it to the other yardstick, or deleted it (read as ICD 203), restated
 * every judgment's range with no confirmation, record or note. A change
 * between ICD 203's two wording rows changes only words, and goes through.
 *
 * Read on what Yjs decoded, before the update is applied: each value the
 * update leaves standing under the profile, and the ICD 203 a reader falls
 * back on where the update deletes the profile the board holds, or lands a
 * value it deletes itself.
 */
import * as Y from 'yjs'
import { boardProfile, META_ROOT, metaMap } from '../../shared/board-doc.ts'
import { isLikelihoodProfile, profileName, yardstickOf, type LikelihoodProfile } from '../../shared/domain.ts'
import { standingValue } from './field-values.ts'
import { isHeldWhole } from './held-already.ts'
import type { Landing } from './item-landing.ts'

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

const PROFILE_KEY = 'profile'

/** What a reader takes for a board without a profile (boardProfile). */
const FALLBACK_PROFILE: LikelihoodProfile = 'icd203'

/** Why the update changes the board's yardstick, or null. */
export function yardstickChange(doc: Y.Doc, { ds }: DecodedUpdate, landings: readonly { item: Y.Item; landing: Landing }[]): string | null {
  const held = boardProfile(doc)
  const left: LikelihoodProfile[] = []
  for (const { item, landing } of landings) {
    if (landing === null || landing.parent !== META_ROOT || landing.key !== PROFILE_KEY || isHeldWhole(doc, item)) continue
    const standing = standingValue(ds, item)
    // A value that is no profile is the field rule's to refuse (field-values.ts); one the update deletes reads as the fallback.
    if (standing === null) left.push(FALLBACK_PROFILE)
    else if (isLikelihoodProfile(standing.value)) left.push(standing.value)
  }
  const heldItem = metaMap(doc)._map.get(PROFILE_KEY)
  if (heldItem !== undefined && !heldItem.deleted && Y.isDeleted(ds, heldItem.id)) left.push(FALLBACK_PROFILE)
  const other = left.find((profile) => yardstickOf(profile) !== yardstickOf(held))
  if (other === undefined) return null
  return `update changes the board's likelihood profile from ${profileName(held)} to ${profileName(other)}, restating its judgments' ranges: a change of yardstick is made in the board's settings, where it is confirmed and recorded`
}
