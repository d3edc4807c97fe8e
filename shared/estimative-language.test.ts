import { describe, expect, it } from 'vitest'
import { quotedRanges, readEstimativeLanguage, sentences } from './estimative-language.ts'

/** The likelihood terms read, as "phrase" or "not phrase", in order. */
function terms(text: string): string[] {
  return readEstimativeLanguage(text).likelihood.map((m) => `${m.negated ? 'not ' : ''}${m.term.phrase}`)
}

function confidence(text: string): string[] {
  return readEstimativeLanguage(text).confidence.map((m) => m.text)
}

describe('readEstimativeLanguage: likelihood terms', () => {
  it('reads each term with its band and the exact words', () => {
    const text = 'Wagner will likely relocate; a strike on Vilnius is very unlikely.'
    const [first, second] = readEstimativeLanguage(text).likelihood
    expect(first).toMatchObject({ text: 'likely', start: 12, end: 18, negated: false })
    expect(first!.term.band).toBe(5)
    expect(text.slice(second!.start, second!.end)).toBe('very unlikely')
    expect(second!.term.band).toBe(2)
  })

  it('matches the longest term: "very likely" is not also "likely", "almost certainly" not "almost certain"', () => {
    expect(terms('An attack is very likely.')).toEqual(['very likely'])
    expect(terms('They will almost certainly withdraw.')).toEqual(['almost certainly'])
    expect(terms('There is a roughly even chance of it.')).toEqual(['roughly even chance'])
    expect(terms('There is an even chance of it.')).toEqual(['even chance'])
    expect(terms('A remote chance of escalation remains.')).toEqual(['remote chance'])
  })

  it('reads whole words only: likelihood, likeliness, unlikely and improbable are not "likely" or "probable"', () => {
    expect(terms('The likelihood and the likeliness of it.')).toEqual([])
    expect(terms('It is unlikely.')).toEqual(['unlikely'])
    expect(terms('It is improbable.')).toEqual(['improbable'])
    expect(terms('Probability and probabilistic models.')).toEqual([])
  })

  it('ignores case, hyphens, several spaces and line breaks between the words of a term', () => {
    expect(terms('It is HIGHLY-LIKELY.')).toEqual(['highly likely'])
    expect(terms('It is highly\u2011likely.')).toEqual(['highly likely'])
    expect(terms('It is Very   Likely.')).toEqual(['very likely'])
    expect(terms('almost\ncertain')).toEqual(['almost certain'])
    const [mention] = readEstimativeLanguage('It is highly-likely.').likelihood
    expect(mention!.text).toBe('highly-likely')
  })

  it('reads negations: "not likely", "isn’t likely" with either apostrophe, "not at all likely"', () => {
    expect(terms('An attack is not likely.')).toEqual(['not likely'])
    expect(terms('An attack isn’t likely.')).toEqual(['not likely'])
    expect(terms("An attack isn't very likely.")).toEqual(['not very likely'])
    expect(terms('An attack is not at all likely.')).toEqual(['not likely'])
    expect(terms('It is not considered likely.')).toEqual(['not likely'])
    expect(terms('It is never likely.')).toEqual(['not likely'])
    expect(terms('It is not unlikely.')).toEqual(['not unlikely'])
    expect(terms('There is no realistic possibility of it.')).toEqual(['not realistic possibility'])
  })

  it('does not take a negation from another clause or across other words', () => {
    expect(terms('Russia will not attack, but a provocation is likely.')).toEqual(['likely'])
    expect(terms('Units that did not deploy are likely to move.')).toEqual(['likely'])
    expect(terms('Nothing suggests otherwise; it is likely.')).toEqual(['likely'])
    expect(terms('The notion is likely.')).toEqual(['likely'])
  })

  it('skips terms inside quotation marks: a quoted claim is not the analyst’s wording', () => {
    expect(terms('NATO called an attack “unlikely”, and we judge it likely.')).toEqual(['likely'])
    expect(terms('The ministry said "an attack is unlikely" on Monday.')).toEqual([])
    expect(terms('Kremlin sources called it «very unlikely».')).toEqual([])
    expect(terms('The note read ‘highly probable’ in the margin; we judge it unlikely.')).toEqual(['unlikely'])
    expect(terms("The analyst's view: 'likely'.")).toEqual([])
  })

  it('does not take an apostrophe for a quotation mark', () => {
    expect(terms('Russia’s move is likely; Prigozhin’s is unlikely.')).toEqual(['likely', 'unlikely'])
    expect(terms("Russia's move is likely; Prigozhin's is unlikely.")).toEqual(['likely', 'unlikely'])
    expect(quotedRanges('Russia’s army and NATO’s flank')).toEqual([])
  })

  it('leaves an unclosed quotation mark alone rather than hide the rest of the text', () => {
    expect(terms('He said “maybe. An attack is likely.')).toEqual(['likely'])
  })

  it('pairs each mark with its first closing one after marks left unclosed, and never across a blank line', () => {
    // „ closes with “; the unclosed « and ‘ are read as text, and the quotation after them still found.
    expect(quotedRanges('« ‘x „a“ and “b”')).toEqual([
      { start: 5, end: 8 },
      { start: 13, end: 16 },
    ])
    expect(quotedRanges('“a\n\nb” "c"')).toEqual([{ start: 7, end: 10 }])
    expect(quotedRanges("Russia's 'plan's end' now")).toEqual([{ start: 9, end: 21 }])
  })

  it('reads no band in a comparison', () => {
    expect(terms('An attack is more likely than a blockade.')).toEqual([])
    expect(terms('The least likely course of action.')).toEqual([])
    expect(terms('It is as likely as not.')).toEqual([])
    expect(terms('The move is seen as likely.')).toEqual(['likely'])
  })

  it('reads "remote" as a likelihood only as a predicate', () => {
    expect(terms('The chance of escalation is remote.')).toEqual(['remote'])
    expect(terms('The chance of escalation remains extremely remote.')).toEqual(['remote'])
    expect(terms('Troops moved to a remote village.')).toEqual([])
    expect(terms('Remote sensing shows the convoy.')).toEqual([])
    expect(terms('A remote possibility.')).toEqual(['remote possibility'])
  })

  it('reads the wording of every yardstick', () => {
    expect(terms('Probable, probably, highly probable, nearly certain, highly improbable, roughly even odds.')).toEqual([
      'probable',
      'probably',
      'highly probable',
      'nearly certain',
      'highly improbable',
      'roughly even odds',
    ])
    expect(terms('A realistic possibility; highly unlikely; almost no chance.')).toEqual(['realistic possibility', 'highly unlikely', 'almost no chance'])
  })
})

describe('readEstimativeLanguage: confidence and sentences', () => {
  it('reads confidence levels and "confident", longest first, outside quotations', () => {
    expect(confidence('We have high confidence in this. We are confident. High-confidence reporting.')).toEqual([
      'high confidence',
      'confident',
      'High-confidence',
    ])
    expect(confidence('The report said “with moderate confidence”.')).toEqual([])
    expect(confidence('A confidential source; self-confidence.')).toEqual([])
  })

  it('splits sentences', () => {
    expect(sentences('It is likely. We have moderate confidence.').map((s) => s.text.trim())).toEqual(['It is likely.', 'We have moderate confidence.'])
  })
})
