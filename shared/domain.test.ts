import { describe, expect, it } from 'vitest'
import { TLP_MARKINGS, tlpOf } from './domain.ts'

describe('the TLP level of a marking', () => {
  it('reads each TLP 2.0 label, in any case, with or without its colon', () => {
    expect(TLP_MARKINGS.map(tlpOf)).toEqual([...TLP_MARKINGS])
    expect(tlpOf('  tlp: amber+strict ')).toBe('TLP:AMBER+STRICT')
    expect(tlpOf('TLP RED')).toBe('TLP:RED')
  })

  it('reads the label through zero-width and other format characters', () => {
    expect(tlpOf('TLP:\u200BRED')).toBe('TLP:RED')
    expect(tlpOf('TLP:RED\u200B')).toBe('TLP:RED')
    expect(tlpOf('\uFEFFT\u200DLP:R\u00ADED')).toBe('TLP:RED')
    expect(tlpOf('TLP:\u2068RED\u2069')).toBe('TLP:RED')
  })

  it('reads a label followed by more handling text, or standing after other text', () => {
    expect(tlpOf('TLP:RED // NOFORN')).toBe('TLP:RED')
    expect(tlpOf('TLP:RED, named recipients only')).toBe('TLP:RED')
    expect(tlpOf('TLP:AMBER+STRICT (organisation only)')).toBe('TLP:AMBER+STRICT')
    expect(tlpOf('OFFICIAL-SENSITIVE / TLP:GREEN')).toBe('TLP:GREEN')
  })

  it('takes the most restrictive label a marking names, erring to the stricter', () => {
    expect(tlpOf('TLP:GREEN, was TLP:RED')).toBe('TLP:RED')
    expect(tlpOf('NOT TLP:RED')).toBe('TLP:RED')
    expect(tlpOf('TLP:AMBER TLP:AMBER+STRICT TLP:CLEAR')).toBe('TLP:AMBER+STRICT')
  })

  it('reads no label glued to other letters, and none in free text', () => {
    expect(tlpOf('TLP:REDACTED')).toBeNull()
    expect(tlpOf('XTLP:RED')).toBeNull()
    expect(tlpOf('TLP:GREENISH')).toBeNull()
    expect(tlpOf('SECRET//REL TO NATO')).toBeNull()
    expect(tlpOf('RED')).toBeNull()
    expect(tlpOf('')).toBeNull()
  })
})
