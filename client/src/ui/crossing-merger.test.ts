import { describe, expect, it } from 'vitest'
import { mergesHere } from './crossing-merger.ts'

const ANA = 30
const BO = 10
const OLGA = 20
const CEM = 5

/** Which of the pages merges Bo's write dropped for Ana's, each page seeing the same people present. */
const mergers = (pages: number[]) => pages.filter((me) => mergesHere({ kept: ANA, dropped: BO }, me, new Set(pages)))

describe('mergesHere', () => {
  it('leaves the merge to the page of the write dropped while it is present: no onlooker and not the kept write’s page', () => {
    expect(mergers([ANA, BO, OLGA, CEM])).toEqual([])
  })

  it('gives it to the kept write’s page alone when the dropped write’s page is gone', () => {
    expect(mergers([ANA, OLGA, CEM])).toEqual([ANA])
  })

  it('gives it to one page, the lowest client id, when both writers’ pages are gone', () => {
    expect(mergers([OLGA, CEM])).toEqual([CEM])
    expect(mergers([OLGA])).toEqual([OLGA])
  })
})
