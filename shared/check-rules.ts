/**
 * The analytic checks' rules: a stable id each (what an acknowledgement and
 * an API client refer to), the label shown beside a card and in a briefing,
 * and why the rule exists. The checks themselves are in analysis-checks.ts.
 */

export const CHECK_RULE_IDS = [
  'no-likelihood',
  'likelihood-needs-restatement',
  'no-confidence',
  'unsupported-key-judgment',
  'likelihood-contradicted',
  'mixed-wording',
  'likelihood-with-confidence',
  'weak-sources-only',
  'retracted-support',
  'no-key-judgment',
  'lone-hypothesis',
  'no-diagnostic-evidence',
  'unrecognised-value',
  'two-ratings',
] as const
export type CheckRuleId = (typeof CHECK_RULE_IDS)[number]

/** `scope`: what a finding of the rule is about; the wording rules read the board's key question and bottom line as they read a judgment. */
export type CheckRule = { label: string; why: string; scope: 'assessment' | 'board' | 'assessment or board' }

export const CHECK_RULES: Record<CheckRuleId, CheckRule> = {
  'no-likelihood': {
    label: 'No likelihood',
    why: 'An assessment states its likelihood (ICD 203); a key judgment or assessment without one tells the reader nothing about how probable it is.',
    scope: 'assessment',
  },
  'likelihood-needs-restatement': {
    label: 'Likelihood needs restating',
    why: 'The likelihood was stated under another yardstick than the board’s (set where the change of yardstick had not yet been seen): its band means another range here, which nobody confirmed; an editor sets it again under the board’s yardstick.',
    scope: 'assessment',
  },
  'no-confidence': {
    label: 'No analytic confidence',
    why: 'An assessment states its analytic confidence separately from its likelihood (ICD 203).',
    scope: 'assessment',
  },
  'unsupported-key-judgment': {
    label: 'Key judgment without a supporting claim',
    why: 'A key judgment rests on evidence: at least one claim, not retracted, rated consistent (C or CC).',
    scope: 'assessment',
  },
  'likelihood-contradicted': {
    label: 'Wording contradicts the likelihood',
    why: 'The estimative words of the text name another band than the likelihood set on the assessment.',
    scope: 'assessment',
  },
  'mixed-wording': {
    label: 'Mixes wording rows',
    why: 'A board uses one wording row of its yardstick consistently (its profile); a term from another row reads as another scale.',
    scope: 'assessment or board',
  },
  'likelihood-with-confidence': {
    label: 'Likelihood and confidence in one sentence',
    why: 'ICD 203 keeps a likelihood term and a confidence level in separate sentences, so neither is read as the other.',
    scope: 'assessment or board',
  },
  'weak-sources-only': {
    label: 'Supported only by weak sources',
    why: 'Every supporting claim comes from an unreliable source (E, F) or is itself improbable or unjudged (5, 6).',
    scope: 'assessment',
  },
  'retracted-support': {
    label: 'Relies on a retracted claim',
    why: 'A claim rated consistent with this assessment has been retracted: the assessment must be reviewed without it.',
    scope: 'assessment',
  },
  'no-key-judgment': {
    label: 'No key judgment',
    why: 'A board that briefs a reader has at least one key judgment: the conclusions its BLUF stands on.',
    scope: 'board',
  },
  'lone-hypothesis': {
    label: 'Only one hypothesis',
    why: 'ACH weighs the evidence across competing hypotheses; with one there is nothing to tell apart, and it cannot be called the least refuted.',
    scope: 'board',
  },
  'no-diagnostic-evidence': {
    label: 'No diagnostic evidence',
    why: 'Evidence helps choose between hypotheses only when rated differently across them (ACH); none of this board’s does.',
    scope: 'board',
  },
  'unrecognised-value': {
    label: 'Unrecognised value',
    why: 'A field holds a value the board does not recognise (written before the relay refused it, or past it): it reads as not assessed until an editor sets it.',
    scope: 'board',
  },
  'two-ratings': {
    label: 'Two ratings of one pair',
    why: 'A claim is rated once against an assessment (ACH); two editors offline each rated it, so the earliest rating counts and the others are set aside until an editor keeps one.',
    scope: 'board',
  },
}

export function isCheckRuleId(value: unknown): value is CheckRuleId {
  return (CHECK_RULE_IDS as readonly unknown[]).includes(value)
}
