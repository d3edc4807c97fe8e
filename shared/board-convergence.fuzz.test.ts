/**
 * Seeded fuzzing of the board document: replicas make random changes through
 * the shared mutations and exchange updates in random order and at random
 * times. Whatever happens, every replica must end with the same board model,
 * a valid one, holding no dangling id. A failing seed is printed; pin it in
 * REGRESSION_SEEDS once fixed.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { boardToModel } from './board-convert.ts'
import { assessmentText, BoardError, initBoardDoc } from './board-doc.ts'
import { boardModelSchema, type BoardModel } from './board-model.ts'
import * as mutations from './board-mutations.ts'
import { ACH_RATINGS, CLAIM_CREDIBILITIES, LIKELIHOOD_BANDS, SOURCE_RELIABILITIES } from './domain.ts'

const REGRESSION_SEEDS: number[] = []
const RANDOM_SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i * 7919)
const REPLICAS = 3
const STEPS = 250

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[int(items.length)])
  return { next, int, pick }
}

type Random = ReturnType<typeof generator>

function ids(doc: Y.Doc, name: 'sources' | 'claims' | 'assessments' | 'links'): string[] {
  return [...doc.getMap(name).keys()].sort()
}

/** One random change through the shared mutations; refusals (BoardError) are part of the game. */
function randomChange(doc: Y.Doc, random: Random): void {
  const source = random.pick(ids(doc, 'sources'))
  const claim = random.pick(ids(doc, 'claims'))
  const assessment = random.pick(ids(doc, 'assessments'))
  const link = random.pick(ids(doc, 'links'))
  const changes: (() => unknown)[] = [
    () => mutations.addSource(doc, { name: `Source ${random.int(6)}`, reliability: random.pick(SOURCE_RELIABILITIES)! }),
    () => source && mutations.addClaim(doc, { text: `Claim ${random.int(1000)}.`, sourceId: source, credibility: random.pick(CLAIM_CREDIBILITIES)! }),
    () => mutations.addAssessment(doc, { title: `Card ${random.int(1000)}`, after: random.next() < 0.5 ? (assessment ?? null) : undefined }),
    () => assessment && mutations.updateAssessment(doc, assessment, { likelihood: random.pick(LIKELIHOOD_BANDS)!, tags: [`t${random.int(5)}`] }),
    () => assessment && mutations.moveAssessment(doc, assessment, random.next() < 0.3 ? null : (random.pick(ids(doc, 'assessments')) ?? null)),
    () => {
      if (!assessment) return
      const text = assessmentText(doc, assessment, 'judgment')
      if (text.length > 0 && random.next() < 0.3) text.delete(random.int(text.length), 1)
      else text.insert(random.int(text.length + 1), String.fromCharCode(97 + random.int(26)))
    },
    () => assessment && claim && mutations.addLink(doc, { assessmentId: assessment, claimId: claim, rating: random.pick(ACH_RATINGS)! }),
    () => link && mutations.updateLink(doc, link, { rating: random.pick(ACH_RATINGS)! }),
    () => claim && random.next() < 0.5 && mutations.deleteClaim(doc, claim),
    () => assessment && random.next() < 0.4 && mutations.deleteAssessment(doc, assessment),
    () => source && random.next() < 0.2 && mutations.deleteSource(doc, source),
    () => claim && mutations.updateClaim(doc, claim, { status: random.next() < 0.5 ? 'active' : 'retracted' }),
  ]
  try {
    random.pick(changes)!()
  } catch (error) {
    if (!(error instanceof BoardError)) throw error
  }
}

/** Sends `from`'s updates that `to` lacks, as the relay would deliver them. */
function deliver(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
}

function expectConsistent(model: BoardModel): void {
  boardModelSchema.parse(model)
  const sources = new Set(model.sources.map((s) => s.id))
  const claims = new Set(model.claims.map((c) => c.id))
  const assessments = new Set(model.assessments.map((a) => a.id))
  expect(model.claims.every((c) => sources.has(c.sourceId))).toBe(true)
  expect(model.links.every((l) => claims.has(l.claimId) && assessments.has(l.assessmentId))).toBe(true)
  expect(new Set(model.assessments.map((a) => a.id)).size).toBe(model.assessments.length)
}

function run(seed: number): void {
  const random = generator(seed)
  const replicas = Array.from({ length: REPLICAS }, () => new Y.Doc())
  initBoardDoc(replicas[0]!, { title: 'Fuzz' })
  for (const replica of replicas.slice(1)) deliver(replicas[0]!, replica)
  try {
    for (let step = 0; step < STEPS; step++) {
      const actor = replicas[random.int(REPLICAS)]!
      randomChange(actor, random)
      if (random.next() < 0.3) deliver(random.pick(replicas)!, random.pick(replicas)!)
    }
    for (const from of replicas) for (const to of replicas) if (from !== to) deliver(from, to)
    const models = replicas.map((replica) => boardToModel(replica, 'fuzz'))
    for (const model of models) {
      expectConsistent(model)
      expect(model).toEqual(models[0])
    }
  } finally {
    for (const replica of replicas) replica.destroy()
  }
}

describe('replicas of a board converge whatever the order of changes', () => {
  it.each([...REGRESSION_SEEDS, ...RANDOM_SEEDS])('seed %i', (seed) => {
    run(seed)
  })
})
