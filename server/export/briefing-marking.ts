/**
 * The marking a briefing prints, at the top and bottom of every page and as
 * STIX marking definitions. A snapshot or the board as of a past time was
 * made under the marking it holds; when the live board has been re-marked
 * since, the briefing prints the stricter of the two, so a snapshot taken at
 * TLP:AMBER of a board re-marked TLP:RED is never handed on as TLP:AMBER, and
 * a line says the board was re-marked. Which is stricter is known between TLP
 * levels (read by shared/marking.ts, TLP_MARKINGS from the least strict) and
 * against no marking at all; a version marked otherwise (a national
 * classification) keeps its own marking, and the line names the live one.
 */
import { quoted } from '../../shared/bidi.ts'
import { TLP_MARKINGS, type TlpMarking } from '../../shared/domain.ts'
import { normalizeMarking, tlpOf } from '../../shared/marking.ts'
import type { BriefingVersion } from './briefing-version.ts'

export type BriefingMarking = {
  /** What the bars print, as it was read for the TLP level: no invisible character hiding or reordering it. */
  marking: string
  tlp: TlpMarking | null
  /** "The board has been re-marked …": null when the live board still carries the version's marking. */
  remarked: string | null
}

export function briefingMarking(versionMarking: string, version: BriefingVersion): BriefingMarking {
  const own = printed(versionMarking)
  const live = version.kind === 'live' || version.remarked === undefined ? own : printed(version.remarked.marking)
  if (live === own) return { marking: own, tlp: tlpOf(own), remarked: null }
  const marking = isStricter(live, own) ? live : own
  const made = version.kind === 'snapshot' ? 'this snapshot was taken' : 'the moment this briefing shows'
  const which = marking === live ? 'the stricter, the board’s marking now' : isStricter(own, live) ? 'the stricter, the version’s own' : 'the version’s own: which is stricter cannot be told'
  return {
    marking,
    tlp: tlpOf(marking),
    remarked: `The board has been re-marked since ${made}: marked ${shown(own)} then, ${shown(live)} now. This briefing carries ${which}.`,
  }
}

function printed(marking: string): string {
  return normalizeMarking(marking).trim()
}

/** Whether `a` is known to be stricter than `b`: a higher TLP level, or any marking against none. */
function isStricter(a: string, b: string): boolean {
  if (b === '') return a !== ''
  const [levelA, levelB] = [tlpOf(a), tlpOf(b)]
  return levelA !== null && levelB !== null && TLP_MARKINGS.indexOf(levelA) > TLP_MARKINGS.indexOf(levelB)
}

function shown(marking: string): string {
  return marking === '' ? 'no marking' : quoted(marking)
}
