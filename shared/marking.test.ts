import { describe, expect, it } from 'vitest'
import { TLP_MARKINGS } from './domain.ts'
import { markingMisspelling, normalizeMarking, tlpOf } from './marking.ts'

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

  it('reads the label a lookalike marking shows: invisible marks, fillers, other scripts, accents, fullwidth', () => {
    for (const lookalike of ['TLP:R\u034FED', 'TLP:R\uFE00ED', 'TLP:R\u0415D', 'TLP\u3164RED', 'TLP:RED\u034F', 'ТLР:RЕD', 'TLP\u2236RED', 'TLP:R\u0301ED', 'ＴＬＰ：ＲＥＤ', 'tlp:rеd']) {
      expect(tlpOf(lookalike), JSON.stringify(lookalike)).toBe('TLP:RED')
    }
    expect(tlpOf('TLP:AMBER\u16EDSTRICT')).toBe('TLP:AMBER+STRICT')
  })
})

describe('the marking rule', () => {
  it('stores a marking without what draws nothing, compatibility forms folded', () => {
    expect(normalizeMarking('TLP:R\u034FED')).toBe('TLP:RED')
    expect(normalizeMarking('TLP:R\uFE00ED')).toBe('TLP:RED')
    expect(normalizeMarking('TLP\u3164RED')).toBe('TLPRED')
    expect(normalizeMarking('ＴＬＰ：ＲＥＤ')).toBe('TLP:RED')
    expect(normalizeMarking('TLP:\u202EDER')).toBe('TLP:DER')
  })

  it('reads only a marking’s first 2,000 characters, a surrogate pair at the cut left whole', () => {
    expect(normalizeMarking(`${'\u034F'.repeat(4_000_000)}TLP:RED`)).toBe('')
    expect(normalizeMarking(`${'M'.repeat(1_999)}😀 TLP:RED`)).toBe('M'.repeat(1_999))
    expect(normalizeMarking(`${'M'.repeat(1_998)}😀 TLP:RED`)).toBe(`${'M'.repeat(1_998)}😀`)
  })

  it('refuses a marking that shows a TLP label its letters do not spell', () => {
    for (const lookalike of ['TLP:R\u0415D', 'ТLР:RЕD', 'TLP\u2236RED', 'TLP:R\u0301ED', 'TLP:RED\u0301', 'TLP:GREEN / TLP:RΕD', 'TLP:AMBER\u16EDSTRICT', 'TLP\u2800RED']) {
      expect(markingMisspelling(lookalike), JSON.stringify(lookalike)).toMatch(/reads as TLP:(RED|AMBER\+STRICT)/)
    }
  })

  it('takes the TLP labels, free markings in any script, and a marking that only mentions a lookalike of a laxer label', () => {
    for (const marking of [...TLP_MARKINGS, 'tlp: amber+strict', 'TLP:RED // NOFORN', 'SECRET//NOFORN', 'OFFICIAL-SENSITIVE', 'СЕКРЕТНО', '機密', 'TLP:RED, was TLP:GRЕEN', '']) {
      expect(markingMisspelling(marking), marking).toBeNull()
    }
  })
})
