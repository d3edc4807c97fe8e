import { describe, expect, it } from 'vitest'
import { LONE_HYPOTHESIS_NOTE } from './ach.ts'
import { acknowledge, checkBoard, textFindings, type CheckBoard, type Finding } from './analysis-checks.ts'
import type { AcknowledgementModel, AssessmentModel, ClaimModel, LinkModel, SourceModel } from './board-model.ts'
import type { CheckRuleId } from './check-rules.ts'
import type { AchRating, AssessmentKind, ClaimCredibility, LikelihoodBand, LikelihoodProfile, SourceReliability } from './domain.ts'

const AT = '2026-11-28T12:00:00.000Z'

function assessment(id: string, fields: Partial<AssessmentModel> = {}): AssessmentModel {
  return {
    id,
    title: id,
    judgment: '',
    kind: 'assessment',
    likelihood: 5,
    confidence: 'moderate',
    impact: null,
    status: 'draft',
    tags: [],
    order: id,
    createdAt: AT,
    ...fields,
  }
}

const source = (id: string, reliability: SourceReliability): SourceModel => ({ id, name: id.toUpperCase(), kind: '', reliability, createdAt: AT })
const claim = (id: string, sourceId: string, credibility: ClaimCredibility, status: ClaimModel['status'] = 'active'): ClaimModel => ({
  id,
  text: `Claim ${id}`,
  sourceId,
  credibility,
  status,
  createdAt: AT,
})
const link = (assessmentId: string, claimId: string, rating: AchRating): LinkModel => ({ id: `${assessmentId}-${claimId}`, assessmentId, claimId, rating, createdAt: AT })

const SOURCES = [source('nato', 'B'), source('forum', 'E'), source('unknown', 'F')]
const CLAIMS = [claim('good', 'nato', 2), claim('poor', 'forum', 3), claim('vague', 'nato', 6), claim('gone', 'nato', 1, 'retracted')]

function board(assessments: AssessmentModel[], links: LinkModel[] = [], extra: Partial<CheckBoard> = {}): CheckBoard {
  return { profile: 'icd203', assessments, claims: CLAIMS, sources: SOURCES, links, ...extra }
}

/** A key judgment that passes every check but those under test. */
function sound(id: string, fields: Partial<AssessmentModel> = {}): AssessmentModel {
  return assessment(id, { kind: 'key-judgment', ...fields })
}

const rules = (findings: readonly Finding[]) => findings.map((f) => f.rule)
const ofRule = (findings: readonly Finding[], rule: CheckRuleId) => findings.filter((f) => f.rule === rule)

/** The findings of one judgment text, band and profile. */
function judged(judgment: string, band: LikelihoodBand | null = 5, profile: LikelihoodProfile = 'icd203'): Finding[] {
  return textFindings('a', 'judgment', judgment, band, profile)
}

/** The words at fault, as the text has them. */
const words = (findings: readonly Finding[]) => findings.flatMap((f) => f.faults.map((fault) => fault.text))

describe('checks on a sound board', () => {
  it('finds nothing on a key judgment with likelihood, confidence, good support and clean wording', () => {
    const findings = checkBoard(board([sound('k', { judgment: 'Wagner will likely move to Belarus. We have moderate confidence in this.' })], [link('k', 'good', 'C')]))
    expect(findings).toEqual([])
  })
})

describe('no likelihood, no confidence', () => {
  it('flags an assessment or key judgment without them, naming each rule', () => {
    const findings = checkBoard(board([sound('k', { likelihood: null, confidence: null })], [link('k', 'good', 'CC')]))
    expect(rules(findings)).toEqual(['no-likelihood', 'no-confidence'])
    expect(findings[0]).toMatchObject({ key: 'no-likelihood:k', label: 'No likelihood', subject: { kind: 'assessment', id: 'k' }, faults: [] })
  })

  it('leaves hypotheses alone: they are candidates, weighed in the ACH matrix', () => {
    const hypothesis = assessment('h', { kind: 'hypothesis', likelihood: null, confidence: null })
    // Only the board's own check, that one hypothesis has nothing to be weighed against.
    expect(rules(checkBoard(board([sound('k'), hypothesis], [link('k', 'good', 'C')])))).toEqual(['lone-hypothesis'])
  })
})

describe('a key judgment with no supporting claim', () => {
  it('flags a key judgment with no link, or with only neutral and contradicting ones', () => {
    expect(rules(checkBoard(board([sound('k')])))).toEqual(['unsupported-key-judgment'])
    expect(rules(checkBoard(board([sound('k')], [link('k', 'good', 'N'), link('k', 'poor', 'II')])))).toEqual(['unsupported-key-judgment'])
  })

  it('flags one whose only support has been retracted, and says so', () => {
    const findings = checkBoard(board([sound('k')], [link('k', 'gone', 'CC')]))
    expect(rules(findings)).toEqual(['unsupported-key-judgment', 'retracted-support'])
    expect(findings[0]!.message).toBe('Every claim that supported this key judgment has been retracted.')
  })

  it('does not flag a plain assessment without support', () => {
    expect(rules(checkBoard(board([sound('k'), assessment('a')], [link('k', 'good', 'C')])))).toEqual([])
  })
})

describe('estimative words contradicting the likelihood band', () => {
  it('flags "likely" in the text when the band is unlikely, with the exact words', () => {
    const text = 'Wagner will likely move to Belarus.'
    const [finding] = judged(text, 3)
    expect(finding).toMatchObject({ rule: 'likelihood-contradicted', faults: [{ field: 'judgment', start: 12, end: 18, text: 'likely' }] })
    expect(finding!.message).toBe('“likely” means 55–80%; the likelihood is set to unlikely (20–45%).')
  })

  it('does not flag words that agree with the band, in any case or spelling', () => {
    expect(judged('Wagner will LIKELY move.', 5)).toEqual([])
    expect(judged('It is very likely.', 6)).toEqual([])
    expect(judged('It is highly-likely.', 6, 'phia')).toEqual([])
    expect(judged('It is almost certain.', 7)).toEqual([])
  })

  it('reads "very likely" as band 6, not also as "likely"', () => {
    expect(words(ofRule(judged('An attack is very likely.', 5), 'likelihood-contradicted'))).toEqual(['very likely'])
    expect(judged('An attack is very likely.', 6)).toEqual([])
  })

  it('reads a negated term as denying its band: "not likely" is not "likely"', () => {
    expect(judged('An attack is not likely.', 3)).toEqual([])
    expect(judged('An attack isn’t likely.', 4)).toEqual([])
    const [finding] = judged('An attack is not likely.', 5)
    expect(finding).toMatchObject({ rule: 'likelihood-contradicted', faults: [{ text: 'likely' }] })
    expect(finding!.message).toBe('“likely” is negated: it denies 55–80%; the likelihood is set to likely (55–80%).')
  })

  it('does not read a quoted claim: “unlikely” inside quotation marks is the source’s word', () => {
    expect(judged('NATO called an attack “unlikely”; we judge it likely.', 5)).toEqual([])
    expect(judged('The ministry said "a strike is very unlikely" yesterday.', 5)).toEqual([])
  })

  it('flags every contradicting term once, and none without a band', () => {
    const findings = judged('Relocation is unlikely; a strike is almost certain.', 5)
    expect(findings).toHaveLength(1)
    expect(words(findings)).toEqual(['unlikely', 'almost certain'])
    expect(judged('Relocation is unlikely.', null)).toEqual([])
  })

  it('reads the title too', () => {
    const findings = checkBoard(board([sound('k', { title: 'Strike very unlikely', likelihood: 5 })], [link('k', 'good', 'C')]))
    expect(findings.map((f) => [f.rule, f.faults])).toEqual([['likelihood-contradicted', [{ field: 'title', start: 7, end: 20, text: 'very unlikely' }]]])
  })
})

describe('mixing the board’s wording rows', () => {
  it('flags row B wording on a row A board, naming the board’s term for it', () => {
    const [finding] = ofRule(judged('A strike is probable.', 5), 'mixed-wording')
    expect(finding!.faults.map((f) => f.text)).toEqual(['probable'])
    expect(finding!.message).toBe('“probable” is ICD 203 (wording row B) wording (here: “likely”); this board uses ICD 203 (wording row A).')
  })

  it('flags row A wording on a row B board', () => {
    expect(words(ofRule(judged('A strike is highly probable; a blockade is likely.', 6, 'icd203-alt'), 'mixed-wording'))).toEqual(['likely'])
  })

  it('does not flag the board’s own row, nor words the two rows share', () => {
    expect(ofRule(judged('A strike is very likely; a blockade is unlikely.', 6), 'mixed-wording')).toEqual([])
    expect(ofRule(judged('A strike is highly probable; a blockade is improbable.', 6, 'icd203-alt'), 'mixed-wording')).toEqual([])
    expect(ofRule(judged('A realistic possibility, and highly unlikely, that it is likely.', 5, 'phia'), 'mixed-wording')).toEqual([])
  })

  it('flags "highly likely" (the PHIA yardstick’s) on an ICD 203 board, and "remote" only as a predicate', () => {
    expect(words(ofRule(judged('It is highly likely.', 6), 'mixed-wording'))).toEqual(['highly likely'])
    expect(ofRule(judged('Forces moved to a remote village; it is likely.', 5), 'mixed-wording')).toEqual([])
    expect(words(ofRule(judged('The risk is remote.', 1), 'mixed-wording'))).toEqual(['remote'])
  })

  it('does not read quoted wording', () => {
    expect(ofRule(judged('Lithuania called it “highly improbable”; it is likely.', 5), 'mixed-wording')).toEqual([])
  })
})

describe('a likelihood term and a confidence term in one sentence', () => {
  it('flags them together in one sentence, with both ranges', () => {
    const text = 'We assess with high confidence that an attack is likely.'
    const [finding] = ofRule(judged(text, 5), 'likelihood-with-confidence')
    expect(finding!.faults.map((f) => [f.text, text.slice(f.start, f.end)])).toEqual([
      ['high confidence', 'high confidence'],
      ['likely', 'likely'],
    ])
  })

  it('accepts them in separate sentences', () => {
    expect(judged('An attack is likely. We have high confidence in this judgment.', 5)).toEqual([])
    expect(judged('An attack is likely.\nWe are confident of it.', 5)).toEqual([])
  })

  it('flags "confident" and hyphenated levels, not a confidential source or quoted confidence', () => {
    expect(rules(judged('We are confident an attack is very likely.', 6))).toEqual(['likelihood-with-confidence'])
    expect(rules(judged('High-confidence reporting makes it likely.', 5))).toEqual(['likelihood-with-confidence'])
    expect(judged('A confidential source says it is likely.', 5)).toEqual([])
    expect(judged('It is likely, the “high confidence” cable notwithstanding.', 5)).toEqual([])
  })
})

describe('support only from weak sources', () => {
  it('flags an assessment whose every supporting claim is E/F or 5/6', () => {
    const findings = checkBoard(board([sound('k')], [link('k', 'poor', 'C'), link('k', 'vague', 'CC')]))
    expect(rules(findings)).toEqual(['weak-sources-only'])
    expect(findings[0]!.message).toBe('All 2 supporting claims are weakly graded: \u2068FORUM\u2069 (E3), \u2068NATO\u2069 (B6).')
    expect(findings[0]!.claimIds).toEqual(['poor', 'vague'])
  })

  it('does not flag one with a single well-graded supporting claim among them, nor weak contradicting claims', () => {
    expect(checkBoard(board([sound('k')], [link('k', 'poor', 'C'), link('k', 'good', 'C')]))).toEqual([])
    expect(checkBoard(board([sound('k')], [link('k', 'good', 'C'), link('k', 'poor', 'II')]))).toEqual([])
  })
})

describe('relying on a retracted claim', () => {
  it('flags each assessment, hypotheses included, that a retracted claim supported', () => {
    const findings = checkBoard(
      board([sound('k'), assessment('a'), assessment('h', { kind: 'hypothesis' }), assessment('h2', { kind: 'hypothesis' })], [
        link('k', 'good', 'C'),
        link('k', 'gone', 'CC'),
        link('a', 'gone', 'C'),
        link('h', 'gone', 'C'),
        link('h2', 'good', 'I'),
      ]),
    )
    const retracted = ofRule(findings, 'retracted-support')
    expect(retracted.map((f) => [f.key, f.claimIds])).toEqual([
      ['retracted-support:k:gone', ['gone']],
      ['retracted-support:a:gone', ['gone']],
      ['retracted-support:h:gone', ['gone']],
    ])
    expect(retracted[0]!.message).toBe('Relies on a claim since retracted: \u2068NATO\u2069 (B1) “\u2068Claim gone\u2069”.')
  })

  it('isolates the source’s name and the quotation, so that an override in them cannot reorder the grade after them', () => {
    const hostile = board([sound('k')], [link('k', 'good', 'C'), link('k', 'gone', 'CC')], {
      sources: SOURCES.map((s) => ({ ...s, name: `${s.name}\u202E\u2069` })),
      claims: CLAIMS.map((c) => (c.id === 'gone' ? { ...c, text: `${'é'.repeat(89)}😀 and more` } : c)),
    })
    const [retracted] = ofRule(checkBoard(hostile), 'retracted-support')
    // The member's own PDI would end the run early; the excerpt is cut after the emoji, not inside it.
    expect(retracted!.message).toBe(`Relies on a claim since retracted: \u2068NATO\u202E\u2069 (B1) “\u2068${'é'.repeat(89)}😀…\u2069”.`)
  })

  it('does not flag a retracted claim that contradicted the assessment', () => {
    expect(checkBoard(board([sound('k')], [link('k', 'good', 'C'), link('k', 'gone', 'II')]))).toEqual([])
  })
})

describe('board-level checks', () => {
  it('flags a board with assessments but no key judgment, not an empty board', () => {
    expect(rules(checkBoard(board([assessment('a')])))).toEqual(['no-key-judgment'])
    expect(checkBoard(board([]))).toEqual([])
    expect(checkBoard(board([assessment('a')]))[0]).toMatchObject({ key: 'no-key-judgment:board', subject: { kind: 'board' } })
  })

  it('flags hypotheses that no evidence tells apart', () => {
    const hypotheses = [sound('k'), assessment('h1', { kind: 'hypothesis' }), assessment('h2', { kind: 'hypothesis' })]
    const kLink = link('k', 'good', 'C')
    expect(rules(checkBoard(board(hypotheses, [kLink])))).toEqual(['no-diagnostic-evidence'])
    const same = checkBoard(board(hypotheses, [kLink, link('h1', 'poor', 'C'), link('h2', 'poor', 'C')]))
    expect(rules(same)).toEqual(['no-diagnostic-evidence'])
    expect(same[0]!.claimIds).toEqual(['poor'])
    // A retracted claim's differing ratings do not count.
    expect(rules(checkBoard(board(hypotheses, [kLink, link('h1', 'gone', 'I'), link('h2', 'gone', 'II')])))).toEqual(['no-diagnostic-evidence'])
    expect(checkBoard(board(hypotheses, [kLink, link('h1', 'poor', 'C'), link('h2', 'poor', 'II')]))).toEqual([])
  })

  it('asks for a competing hypothesis when there is one, even beside other board findings', () => {
    const lone = checkBoard(board([sound('k'), assessment('h1', { kind: 'hypothesis' })], [link('k', 'good', 'C')]))
    expect(rules(lone)).toEqual(['lone-hypothesis'])
    expect(lone[0]).toMatchObject({ key: 'lone-hypothesis:board', subject: { kind: 'board' }, message: `The board has one hypothesis. ${LONE_HYPOTHESIS_NOTE}` })
    expect(rules(checkBoard(board([assessment('h1', { kind: 'hypothesis' })])))).toEqual(['no-key-judgment', 'lone-hypothesis'])
  })
})

describe('finding keys and acknowledgements', () => {
  it('keeps a text finding’s key while its words stay, and changes it when they change', () => {
    const key = (text: string, band: LikelihoodBand = 3) => judged(text, band)[0]?.key
    expect(key('It is likely.')).toBe('likelihood-contradicted:a:judgment:band3:likely')
    expect(key('Now, it is LIKELY, as said.')).toBe(key('It is likely.'))
    expect(key('It is almost certain.')).not.toBe(key('It is likely.'))
    expect(key('It is likely.', 2)).not.toBe(key('It is likely.'))
  })

  it('attaches an acknowledgement to the finding with its key, and none to others', () => {
    const findings = checkBoard(board([sound('k', { likelihood: null, confidence: null })], [link('k', 'good', 'C')]))
    const ack: AcknowledgementModel = { key: 'no-confidence:k', rule: 'no-confidence', reason: 'Pending the source review.', createdAt: AT, createdBy: 'Ana' }
    const checked = acknowledge(findings, [ack, { ...ack, key: 'no-confidence:elsewhere' }])
    expect(checked.map((f) => [f.rule, f.acknowledgement?.reason ?? null])).toEqual([
      ['no-likelihood', null],
      ['no-confidence', 'Pending the source review.'],
    ])
    expect(checkBoard({ ...board([sound('k', { confidence: null })], [link('k', 'good', 'C')]), acknowledgements: [ack] })[0]!.acknowledgement).toEqual(ack)
  })

  it('orders findings: the board’s first, then each assessment’s in board order, rules in their listed order', () => {
    const kinds: AssessmentKind[] = ['assessment', 'assessment']
    const findings = checkBoard(
      board(
        kinds.map((kind, i) => assessment(`a${i}`, { kind, likelihood: null, judgment: i === 0 ? 'It is likely, with high confidence.' : '' })),
      ),
    )
    expect(findings.map((f) => `${f.subject.kind === 'board' ? 'board' : f.subject.id} ${f.rule}`)).toEqual([
      'board no-key-judgment',
      'a0 no-likelihood',
      'a0 likelihood-with-confidence',
      'a1 no-likelihood',
    ])
  })
})

describe('a field holding a value the board does not recognise', () => {
  it('names each such field of an entity the checked board holds, once, and none of an entity left out (an export’s scope)', () => {
    const unrecognised = [
      { collection: 'sources', id: 'nato', field: 'reliability' },
      { collection: 'claims', id: 'good', field: 'credibility' },
      { collection: 'assessments', id: 'left-out', field: 'likelihood' },
    ] as const
    const found = ofRule(checkBoard(board([sound('kj')], [link('kj', 'good', 'CC')], { unrecognised })), 'unrecognised-value')
    expect(found.map((f) => [f.key, f.subject, f.claimIds])).toEqual([
      ['unrecognised-value:board:sources:nato:reliability', { kind: 'board' }, []],
      ['unrecognised-value:board:claims:good:credibility', { kind: 'board' }, ['good']],
    ])
    expect(found[0]!.message).toContain('NATO')
    expect(found[0]!.message).toContain('reliability')
  })
})
