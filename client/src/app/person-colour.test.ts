import { describe, expect, it } from 'vitest'
import { assignColours, distinctInitials, initials } from './person-colour.ts'

describe('people’s colours and initials', () => {
  it('gives the people present distinct colours, the same whoever assigns them', () => {
    const ids = ['u-5', 'u-1', 'u-9', 'u-3', 'u-7']
    const colours = assignColours(ids)
    expect(new Set(colours.values()).size).toBe(5)
    expect(assignColours([...ids].reverse())).toEqual(colours)
    // Two tabs of one person are one person.
    expect(assignColours([...ids, 'u-1']).size).toBe(5)
  })

  it('tells apart people whose names start alike', () => {
    expect(initials('Ana Petrova')).toBe('AP')
    expect(initials('  plato ')).toBe('P')
    const people = new Map([
      ['a', 'Ana Petrova'],
      ['b', 'Andrei Pavlov'],
      ['c', 'Carol Reviewer'],
      ['d', 'Ana Petrova'],
      ['e', 'Anatoly Petrov'],
    ])
    const labels = distinctInitials(people)
    expect(labels.get('c')).toBe('CR')
    expect(new Set(labels.values()).size).toBe(5)
    expect(distinctInitials(new Map([['x', 'Ana Petrova'], ['y', 'Andrei Pavlov']]))).toEqual(new Map([['x', 'AnPe'], ['y', 'AnPa']]))
    expect(labels.get('b')).toBe('AndPav')
    expect([labels.get('a'), labels.get('d'), labels.get('e')]).toEqual(['AP1', 'AP2', 'AP3'])
    expect(distinctInitials(new Map([['y', 'Ana Petrenko'], ['x', 'Ana Petrova']]))).toEqual(new Map([['y', 'AP2'], ['x', 'AP1']]))
    expect(distinctInitials(new Map([['x', 'Ana Pavlova'], ['y', 'Ana Pe']]))).toEqual(new Map([['x', 'AnPa'], ['y', 'AnPe']]))
  })
})
