import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../shared/canonical-json.ts'
import { boardContentHash } from '../../server/snapshots/content-hash.ts'
import { FIXTURE_MODEL } from './fixture.ts'

describe('canonical JSON', () => {
  it('is one text whatever order the keys were set in', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: true, x: null }], c: 'é' } })).toBe('{"a":{"c":"é","d":[3,{"x":null,"y":true}]},"b":1}')
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }))
  })

  it('leaves out undefined members as JSON does, and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}')
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError)
    expect(() => canonicalJson(undefined)).toThrow(TypeError)
  })

  it('gives a board model one hash however its keys are ordered, and another for any change', () => {
    const reversed = Object.fromEntries(Object.entries(FIXTURE_MODEL).reverse()) as typeof FIXTURE_MODEL
    expect(boardContentHash(reversed)).toBe(boardContentHash(FIXTURE_MODEL))
    expect(boardContentHash({ ...FIXTURE_MODEL, question: `${FIXTURE_MODEL.question} ` })).not.toBe(boardContentHash(FIXTURE_MODEL))
    expect(boardContentHash({ ...FIXTURE_MODEL, id: 'another-board' })).not.toBe(boardContentHash(FIXTURE_MODEL))
  })
})
