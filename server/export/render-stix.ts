/**
 * The board as a STIX 2.1 bundle (DOMAIN.md, "STIX 2.1 mapping"): a report for
 * the version, a note per assessment and per claim, an identity per source, a
 * relationship per link, and the marking as a marking definition. Ids are
 * derived from the board's id and its items' ids (boardObjectId), and times come from the model and
 * the version, so exporting one snapshot twice gives the same bytes and a
 * consumer sees a re-export as the same objects. STIX reads objects of one id
 * as versions of one object: their `created` never changes, only `modified`
 * moves, and nothing may end their versions that the board can undo (a
 * retraction is never the final `revoked`). STIX has no null and no empty
 * list: a property with nothing in it is left out. Who on the team wrote what
 * stays out: a bundle is made to be shared beyond the team. One id with one
 * `modified` is one version of one object to STIX, so what an object says
 * depends only on what its id and `modified` name: never on the scope, the
 * export's time or what the live board says of a snapshot, unless its id
 * names that too.
 */
import { createHash } from 'node:crypto'
import type { AssessmentModel, BoardModel, ClaimModel, SourceModel } from '../../shared/board-model.ts'
import {
  ACH_RATING_LABELS,
  CREDIBILITY_LABELS,
  RELIABILITY_LABELS,
  STIX_CONFIDENCE,
  admiraltyGrade,
  likelihoodRange,
  likelihoodTerm,
  profileName,
  type AchRating,
  type LikelihoodBand,
  type LikelihoodProfile,
  type TlpMarking,
} from '../../shared/domain.ts'
import { scopeBoard, type ExportScope } from '../../shared/export-scope.ts'
import { bandNeedingRestatement, statedProfile } from '../../shared/stated-likelihood.ts'
import { blufText, buildBriefingFront, confidenceSentence, likelihoodSentence } from './briefing-model.ts'
import type { BriefingVersion } from './briefing-version.ts'
import { timeOf, type ContentTimes } from './content-times.ts'
import { parseTime } from '../../shared/date-time-group.ts'
import { cleanTextIn, mapTextIn } from '../../shared/text-hygiene.ts'
import { webLinkHref } from '../../shared/web-link.ts'
import { isolate, quoted } from '../../shared/bidi.ts'
import { normalizeMarking } from '../../shared/marking.ts'
import { isolatesForMachines } from './bidi.ts'

type StixObject = { type: string; id: string; [property: string]: unknown }
type ExternalReference = { source_name: string; description?: string; url?: string }

/** Assay's namespace for its ids (a random UUID, fixed once): it keeps them apart from any other producer's. */
const ASSAY_NAMESPACE = '3b0e6c52-7f0a-4d55-9a37-5d1c2e8f4b61'

/** The OASIS TLP 2.0 marking definitions, which every STIX consumer knows by these ids. */
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'
const TLP2_MARKINGS: Record<TlpMarking, string> = {
  'TLP:CLEAR': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'TLP:GREEN': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP:AMBER': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'TLP:AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'TLP:RED': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}
const TLP2_PUBLISHED = '2022-10-01T00:00:00.000Z'

/**
 * The `created` of what is one object in every bundle and so can never have a
 * later version: Assay's own identity (the reports' author) and a marking
 * statement (marking definitions cannot be versioned, so one id must always be
 * the same bytes). Also the time of a live board with nothing on it.
 */
const ASSAY_EPOCH = '2026-01-01T00:00:00.000Z'

/**
 * A link's relationship type, claim → assessment, read from its ACH rating:
 * consistent evidence supports the assessment, inconsistent evidence refutes
 * it (custom types, as STIX 2.1 allows); neutral and not-applicable ratings
 * stay the standard `related-to`. The rating itself is in `x_assay_ach_rating`.
 */
export const STIX_RELATIONSHIP_TYPES: Record<AchRating, 'supports' | 'refutes' | 'related-to'> = {
  CC: 'supports',
  C: 'supports',
  N: 'related-to',
  I: 'refutes',
  II: 'refutes',
  NA: 'related-to',
}

/** How a rated claim bears on the assessment citing it, as its relationship's type says. */
const RATING_BEARING: Record<(typeof STIX_RELATIONSHIP_TYPES)[AchRating], string> = {
  supports: 'supports',
  refutes: 'contradicts',
  'related-to': 'neither supports nor contradicts',
}

export function renderStix(input: BoardModel, version: BriefingVersion, options: { scope?: ExportScope } = {}): string {
  const scope = options.scope ?? 'all'
  // JSON could escape anything, but the consumers of a bundle parse its texts as the briefings' XML does.
  const board = scopeBoard(cleanTextIn(input), scope)
  // The moment an earlier version's content is of: no object of it is a later version than that.
  const versionTime = stixTime(version.kind === 'snapshot' ? version.createdAt : version.at)
  const briefing = buildBriefingFront(input, version, { scope })
  const sources = new Map(board.sources.map((s) => [s.id, s]))
  const claims = new Map(board.claims.map((c) => [c.id, c]))
  const markings = markingDefinitions(briefing.marking, briefing.tlp)
  const markingRefs = markings.length > 0 ? { object_marking_refs: markings.map((m) => m.id) } : {}
  // An earlier version the live board has re-marked since carries the live marking (briefing-marking.ts): content the
  // live board's objects never had, so objects of their own, named by the marking too and pointing at what they re-mark.
  const remarking = version.kind !== 'live' && version.remarked ? normalizeMarking(version.remarked.marking) : null
  const originalId = (type: string, key: string) => boardObjectId(board.id, type, key)
  const idOf = (type: string, key: string) => (remarking === null ? originalId(type, key) : boardObjectId(board.id, type, `${key}\nremarked ${remarking}`))
  const contentTimes = version.kind === 'live' ? version.contentTimes : undefined
  const liveTimes = version.kind === 'live' ? undefined : version.liveContentTimes
  /** When the last of the parts an object's content is read from changed (`parts`, as content-times.ts names them), the marking among them. */
  const partsChanged = (times: ContentTimes, parts: string[]) => latest([...parts, 'meta:marking'].map((part) => stixTime(timeOf(times, part))))
  /**
   * Common properties. `modified`: for the live board read with its log's
   * times, when the last of its parts changed, so an unchanged object is the
   * same version in every export and a changed one a later version. For an
   * earlier version, the moment its content is of, or when the live board's
   * parts last changed if that is earlier: the live board then holds the
   * same content, one version, and otherwise a later one; no export of the
   * past passes for newer than the live board (red team 40b).
   */
  const common = (type: string, key: string, createdAt: string, parts: string[] = []) => {
    const created = stixTime(createdAt)
    const modified = latest([created, contentTimes ? partsChanged(contentTimes, parts) : liveTimes ? earliest([versionTime, partsChanged(liveTimes, parts)]) : versionTime])
    return { type, spec_version: '2.1', id: idOf(type, key), created, modified, ...(remarking === null ? {} : { x_assay_remarked_from: originalId(type, key) }) }
  }

  const assay: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', 'assay'),
    created: ASSAY_EPOCH,
    modified: ASSAY_EPOCH,
    name: 'Assay',
    identity_class: 'system',
  }

  const identities = board.sources.map((source) => {
    const url = webLinkHref(source.url)
    return {
      ...common('identity', `source:${source.id}`, source.createdAt, [`sources:${source.id}`]),
      name: source.name,
      identity_class: 'unknown',
      description: `${source.kind ? `${source.kind}; ` : ''}reliability ${source.reliability}: ${RELIABILITY_LABELS[source.reliability]}`,
      ...(url ? { external_references: [{ source_name: source.name, url }] } : {}),
      x_assay_reliability: source.reliability,
      ...markingRefs,
    }
  })

  const claimNotes = board.claims.map((claim) => {
    const source = sources.get(claim.sourceId)!
    return {
      ...common('note', `claim:${claim.id}`, claim.createdAt, claimParts(claim)),
      abstract: `${isolate(source.name)} (${admiraltyGrade(source.reliability, claim.credibility)})`,
      content: claim.text,
      // A claim is a note on what its source said.
      object_refs: [idOf('identity', `source:${source.id}`)],
      external_references: [citation(claim, source)],
      // Not `revoked`: STIX allows no later version of a revoked object, and a retraction can be undone.
      ...(claim.status === 'retracted' ? { labels: ['retracted'] } : {}),
      x_assay_credibility: claim.credibility,
      x_assay_admiralty_grade: admiraltyGrade(source.reliability, claim.credibility),
      x_assay_status: claim.status,
      // Only an imported claim quotes its source; the analyst's own words are kept apart.
      x_assay_quote: claim.documentId === undefined ? 'added-by-hand' : 'imported',
      ...(claim.note ? { x_assay_analyst_note: claim.note } : {}),
      // Its relevance as ACH evidence, where an editor rated it: absent, the weighted score takes it as M.
      ...(claim.relevance ? { x_assay_ach_relevance: claim.relevance } : {}),
      ...markingRefs,
    }
  })

  const linksOf = new Map<string, BoardModel['links']>()
  for (const link of board.links) {
    const links = linksOf.get(link.assessmentId)
    if (links) links.push(link)
    else linksOf.set(link.assessmentId, [link])
  }
  const reportVersion = reportVersionOf(input, version)
  // Another scope of one version is another report: its contents differ.
  const reportKey = `report:${reportVersion.key}${scope === 'all' ? '' : `:${scope}`}`
  // A report names its version, which no live export shares: re-marked, it is a later version of itself.
  const reportId = originalId('report', reportKey)

  /**
   * The board's analysts, unnamed: what an assessment weighing no claim is
   * applied to, as its note is one object in every version and scope of the
   * board and so cannot point at any one report. The board records no time of
   * its own, so this one object of all its versions is created at Assay's epoch.
   */
  const analysts = {
    ...common('identity', 'analysts', ASSAY_EPOCH, ['meta:title']),
    name: `Analysts of ${board.title || 'Untitled board'}`,
    identity_class: 'group',
    ...markingRefs,
  }

  const assessmentNotes = board.assessments.map((assessment) => {
    const links = linksOf.get(assessment.id) ?? []
    const cited = links.map((link) => claims.get(link.claimId)!)
    return {
      ...common('note', `assessment:${assessment.id}`, assessment.createdAt, [
        `assessments:${assessment.id}`,
        'meta:profile',
        ...links.map((link) => `links:${link.id}`),
        ...cited.flatMap(claimParts),
      ]),
      abstract: assessment.title,
      content: [
        assessment.judgment,
        likelihoodSentence(board.profile, assessment),
        confidenceSentence(assessment.confidence),
      ]
        .filter((part) => part.trim().length > 0)
        .join('\n\n'),
      // The note is applied to the evidence it weighs; one that weighs none is the analysts' own.
      object_refs: cited.length > 0 ? cited.map((claim) => idOf('note', `claim:${claim.id}`)) : [analysts.id],
      // Each citation says how the claim bears on the judgment: one list holds supporting and contradicting evidence alike.
      ...(cited.length > 0
        ? { external_references: links.map((link, i) => citation(cited[i]!, sources.get(cited[i]!.sourceId)!, link.rating)) }
        : {}),
      ...(assessment.confidence ? { confidence: STIX_CONFIDENCE[assessment.confidence] } : {}),
      ...(assessment.tags.length > 0 ? { labels: assessment.tags } : {}),
      // Likelihood is not confidence (STIX `confidence` is confidence in correctness): it travels in its own property.
      ...(assessment.likelihood !== null ? { x_assay_likelihood: statedLikelihood(assessment, board.profile, assessment.likelihood) } : {}),
      x_assay_kind: assessment.kind,
      x_assay_impact: assessment.impact,
      x_assay_status: assessment.status,
      ...markingRefs,
    }
  })

  const relationships = board.links.map((link) => ({
    ...common('relationship', `link:${link.id}`, link.createdAt, [`links:${link.id}`]),
    relationship_type: STIX_RELATIONSHIP_TYPES[link.rating],
    source_ref: idOf('note', `claim:${link.claimId}`),
    target_ref: idOf('note', `assessment:${link.assessmentId}`),
    description: `ACH rating: ${ACH_RATING_LABELS[link.rating]} (${link.rating})${link.note ? `. ${link.note}` : ''}`,
    x_assay_ach_rating: link.rating,
    ...markingRefs,
  }))

  // Reviewers' verdicts on a snapshot's assessments are STIX opinions about those notes. Reviewers
  // are not named: a bundle is made to be shared, as analysts' names are left out too.
  const assessmentIds = new Set(board.assessments.map((a) => a.id))
  const verdicts = version.kind === 'snapshot' ? (version.verdicts ?? []).filter((v) => assessmentIds.has(v.assessmentId)) : []
  const opinions = [...verdicts]
    .sort((a, b) => (a.assessmentId + a.reviewerId < b.assessmentId + b.reviewerId ? -1 : 1))
    .map((verdict) => ({
      // A reviewer who changes their verdict gives a new one, of its own time: another opinion, as its `created` differs.
      ...common('opinion', `verdict:${reportId}:${verdict.assessmentId}:${verdict.reviewerId}:${verdict.createdAt}`, verdict.createdAt),
      opinion: verdict.verdict,
      object_refs: [idOf('note', `assessment:${verdict.assessmentId}`)],
      ...markingRefs,
    }))

  // What a snapshot relied on that the live board has retracted since is read from the live board, which records no
  // time for it: so it is a note of its own, whose id names the claims retracted (another set is another note), of
  // the snapshot's time. It is applied to the report, which does not list it: the report is the snapshot's and its review's.
  const retractedClaimIds = version.kind === 'snapshot' ? (version.retractedSince?.claims ?? []).map((c) => c.id).filter((id) => claims.has(id)).sort() : []
  const retractedSince =
    version.kind === 'snapshot' && briefing.retractedSince
      ? {
          ...common('note', `${reportKey}:retracted-since:${retractedClaimIds.join(',')}`, version.createdAt),
          abstract: 'Retracted since this snapshot',
          content: `${briefing.retractedSince.statement} (${briefing.retractedSince.titles.join('; ')})`,
          object_refs: [reportId, ...retractedClaimIds.map((id) => idOf('note', `claim:${id}`))],
          labels: ['retracted-since'],
          ...markingRefs,
        }
      : null

  const weighsNothing = board.assessments.some((assessment) => !linksOf.has(assessment.id))
  const contents: StixObject[] = [assay, ...(weighsNothing ? [analysts] : []), ...identities, ...claimNotes, ...assessmentNotes, ...relationships]
  const report = {
    type: 'report',
    spec_version: '2.1',
    id: reportId,
    created: reportVersion.created,
    modified: reportVersion.modified,
    created_by_ref: assay.id,
    name: board.title || 'Untitled board',
    description: [board.question, blufText(briefing.bluf)].filter((part) => part.trim().length > 0).join('\n\n'),
    report_types: ['threat-report'],
    // A snapshot was published when it was taken; the live board (or the board as of a time) when the report states it.
    published: version.kind === 'snapshot' ? reportVersion.created : reportVersion.modified,
    // Not the opinions: a verdict can be withdrawn, which records no time, so the report's content must not list them.
    object_refs: contents.map((o) => o.id),
    x_assay_version: { kind: version.kind, label: briefing.version.label, hash: version.hash },
    x_assay_scope: { scope, statement: briefing.scope.statement },
    ...(briefing.remarked ? { x_assay_remarked: briefing.remarked } : {}),
    // Sign-offs without the reviewers' names, as verdicts: a bundle is made to be shared.
    x_assay_review: {
      status: briefing.review.status,
      signoffs: version.kind === 'snapshot' ? (version.signoffs ?? []).map((s) => ({ decision: s.decision, created: stixTime(s.createdAt) })) : [],
    },
    x_assay_checks: {
      open: briefing.checks.open.map(({ about, label, message }) => ({ about, label, message })),
      // The reason without who gave it: analysts are not named in a bundle.
      acknowledged: briefing.checks.acknowledged.map(({ about, label, message, acknowledgement }) => ({ about, label, message, reason: acknowledgement?.reason })),
    },
    ...markingRefs,
  }
  const objects = [...markings, report, ...contents, ...opinions, ...(retractedSince ? [retractedSince] : [])]
  return `${JSON.stringify(mapTextIn(withoutEmpty({ type: 'bundle', id: stixId('bundle', reportId), objects }), isolatesForMachines), null, 2)}\n`
}

/**
 * What in the report's id names its version, and the times of that id. A
 * snapshot's report is the snapshot's: created when it was taken, modified by
 * each sign-off since (they change what it says; a sign-off is replaced, never
 * withdrawn). Verdicts are opinions the report does not list, as a withdrawn
 * verdict leaves no time to move its `modified` to. The live board
 * has no moment of its own (its log keeps no times), so its report is named
 * by its content hash and created at the newest time that content records:
 * the same content, and so the same id, gets the same `created` on every
 * export, and no later than the content could have existed. The export's time
 * (or the time asked for, as of) is its `modified`, as the report states it.
 */
function reportVersionOf(model: BoardModel, version: BriefingVersion): { key: string; created: string; modified: string } {
  if (version.kind === 'snapshot') {
    const created = stixTime(version.createdAt)
    const review = (version.signoffs ?? []).map((r) => stixTime(r.createdAt))
    return { key: `snapshot:${version.id}`, created, modified: latest([created, ...review, ...remarkedTime(version)]) }
  }
  const created = contentTime(model)
  return { key: `${version.kind}:${version.hash}`, created, modified: latest([created, stixTime(version.kind === 'live' ? version.at : version.asOf), ...remarkedTime(version)]) }
}

/** When the export read the live board's new marking, for a version re-marked since; the live board records no time for it. */
function remarkedTime(version: BriefingVersion): string[] {
  return version.kind !== 'live' && version.remarked ? [stixTime(version.remarked.at)] : []
}

/** The newest time the board's content records (what was added when), or Assay's epoch for a board with nothing on it. */
function contentTime(model: BoardModel): string {
  const times = [
    ...[...model.sources, ...model.claims, ...model.assessments, ...model.links, ...(model.acknowledgements ?? [])].map((item) => item.createdAt),
    ...model.documents.map((document) => document.importedAt),
  ]
  return times.length > 0 ? latest(times.map(stixTime)) : ASSAY_EPOCH
}

/** What a claim's note and every citation of it read: the claim, its source, and the document it quotes. */
function claimParts(claim: ClaimModel): string[] {
  return [`claims:${claim.id}`, `sources:${claim.sourceId}`, ...(claim.documentId === undefined ? [] : [`documents:${claim.documentId}`])]
}

/** The latest of STIX times (which sort as text). */
function latest(times: string[]): string {
  return times.reduce((a, b) => (b > a ? b : a))
}

/** The earliest of STIX times. */
function earliest(times: string[]): string {
  return times.reduce((a, b) => (b < a ? b : a))
}

/** The value without null, undefined, empty lists and objects left empty: STIX forbids nulls and empty lists, so a property with nothing to say is left out. */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withoutEmpty).filter((item) => item !== undefined)
    return items.length > 0 ? items : undefined
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).flatMap(([key, v]) => {
      const kept = withoutEmpty(v)
      return kept === undefined ? [] : [[key, kept] as const]
    })
    return entries.length > 0 ? Object.fromEntries(entries) : undefined
  }
  return value ?? undefined
}

/**
 * A claim cited by its source and grade, quoting it in its own note; by an assessment, with the link's ACH rating
 * ("supports: very consistent (CC)") and without the claim's text, which the claim's note (in the assessment's
 * `object_refs`) holds once: quoted in every link, a bundle grew with links × text.
 */
function citation(claim: ClaimModel, source: SourceModel, rating?: AchRating): ExternalReference {
  const url = webLinkHref(source.url)
  return {
    source_name: source.name,
    description:
      `${admiraltyGrade(source.reliability, claim.credibility)} (${RELIABILITY_LABELS[source.reliability]}; ` +
      `${CREDIBILITY_LABELS[claim.credibility]})${rating ? '' : `: ${quoted(claim.text)}`}${claim.documentId === undefined ? ' (added by hand)' : ''}${claim.status === 'retracted' ? ' (retracted)' : ''}` +
      (rating ? ` — ${RATING_BEARING[STIX_RELATIONSHIP_TYPES[rating]]}: ${ACH_RATING_LABELS[rating]} (${rating})` : ''),
    ...(url ? { url } : {}),
  }
}

/**
 * A TLP level is its OASIS definition, which sharing platforms act on; a
 * marking that says more than its TLP label ("TLP:RED // NOFORN"), or no TLP
 * at all, is also a statement of its own, so nothing the analysts wrote is lost.
 */
function markingDefinitions(marking: string, tlp: TlpMarking | null): StixObject[] {
  const definitions: StixObject[] = []
  if (tlp) {
    definitions.push({
      type: 'marking-definition',
      spec_version: '2.1',
      id: TLP2_MARKINGS[tlp],
      created: TLP2_PUBLISHED,
      name: tlp,
      extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.slice('TLP:'.length).toLowerCase() } },
    })
  }
  if (marking !== '' && marking.toUpperCase() !== tlp) {
    // Marking definitions are never versioned, so they have `created` but no `modified`, and one id is always the same bytes.
    definitions.push({
      type: 'marking-definition',
      spec_version: '2.1',
      id: stixId('marking-definition', `statement:${marking}`),
      created: ASSAY_EPOCH,
      definition_type: 'statement',
      definition: { statement: marking },
    })
  }
  return definitions
}

/**
 * The id of an object of one board's content: its key names the board too, as
 * the ids of a board's items are chosen by the client that writes them, and an
 * editor of one board could otherwise give an item the id of another board's
 * and so write a later version of that board's object.
 */
export function boardObjectId(boardId: string, type: string, key: string): string {
  return stixId(type, `${boardId}:${key}`)
}

/** STIX times are UTC with exactly millisecond precision. */
function stixTime(iso: string): string {
  return parseTime(iso).toISOString()
}

/**
 * `type--UUIDv4`, as STIX asks of its objects' ids, with its 122 bits taken
 * from SHA-256(Assay's namespace, type + key) rather than drawn at random, on
 * purpose: a re-export gives the same ids, so a consumer sees the same objects
 * again, not copies. RFC 4122 (section 4.4) asks only that a version 4's bits
 * be random or pseudo-random, and a hash of a name unique to the object is.
 */
export function stixId(type: string, key: string): string {
  const namespace = Buffer.from(ASSAY_NAMESPACE.replace(/-/g, ''), 'hex')
  const hash = createHash('sha256').update(namespace).update(`${type}:${key}`, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x40
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${type}--${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * A likelihood as its author stated it: the term and range of the yardstick it
 * was stated under, and, where that is not the board's, the yardstick it still
 * needs restating under (shared/stated-likelihood.ts).
 */
function statedLikelihood(assessment: AssessmentModel, boardProfile: LikelihoodProfile, band: LikelihoodBand) {
  const stated = statedProfile(assessment, boardProfile)
  return {
    band,
    term: likelihoodTerm(stated, band),
    range: likelihoodRange(stated, band),
    yardstick: profileName(stated),
    ...(bandNeedingRestatement(assessment, boardProfile) !== null ? { needs_restating_under: profileName(boardProfile) } : {}),
  }
}
