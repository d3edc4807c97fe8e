import { describe, expect, it } from 'vitest'
import { encodePresenceUpdate, PresenceRefused, readPresenceUpdate, stampPresence } from './presence-state.ts'

const limits = { presenceBytes: 4096, presenceDepth: 4 }
const read = (json: string) => readPresenceUpdate(encodePresenceUpdate([{ clientId: 1, clock: 2, json }]), limits)

describe('reading presence', () => {
  it('counts nesting outside strings only, escapes included', () => {
    expect(read('{"a":{"b":{"c":{}}}}')[0]!.state).toEqual({ a: { b: { c: {} } } })
    expect(() => read('{"a":{"b":{"c":{"d":{}}}}}')).toThrow(PresenceRefused)
    expect(read('{"text":"[[[[{{{{ \\" [[[[ \\\\"}')[0]!.state).toEqual({ text: '[[[[{{{{ " [[[[ \\' })
    expect(() => read('[[[[[' + ']]]]]')).toThrow(PresenceRefused)
  })

  it('refuses what is over the size, not an object, or not UTF-8 before parsing it', () => {
    expect(() => read(`{"a":"${'x'.repeat(5000)}"}`)).toThrow(PresenceRefused)
    expect(() => read('[1]')).toThrow(PresenceRefused)
    expect(() => read('"text"')).toThrow(PresenceRefused)
    expect(read('null')[0]!.state).toBeNull()
    expect(() => read('{"a":')).toThrow(SyntaxError)
    expect(() => readPresenceUpdate(Uint8Array.of(1, 1, 1, 2, 0xff, 0xfe), limits)).toThrow(TypeError)
    expect(() => readPresenceUpdate(Uint8Array.of(1, 1, 1, 4, 0x6e, 0x75, 0x6c, 0x6c, 9), limits)).toThrow('trailing bytes')
  })
})

describe('stamping presence', () => {
  it('puts the signed-in identity in `user`, keeps hex colours and the rest, drops `server`', () => {
    const stamped = stampPresence(
      { user: { name: 'Administrator', color: '#1d5fd1', colorLight: 'url(x)', isAdmin: true }, focus: { assessmentId: 'a' }, server: { saving: 'failing' } },
      { userId: 'u1', name: 'Eve', readOnly: true },
    )
    expect(stamped).toEqual({ user: { id: 'u1', name: 'Eve', readOnly: true, color: '#1d5fd1' }, focus: { assessmentId: 'a' } })
  })

  it('writes a cursor afresh with every field a relative position holds, or null', () => {
    const stamp = { userId: 'u1', name: 'Eve', readOnly: false }
    const cursorOf = (cursor: unknown) => stampPresence({ cursor }, stamp).cursor
    const item = { client: 7, clock: 3 }
    expect(cursorOf({ anchor: { item }, head: { tname: 'bluf', assoc: -1 }, extra: 1 })).toEqual({
      anchor: { type: null, tname: null, item, assoc: 0 },
      head: { type: null, tname: 'bluf', item: null, assoc: -1 },
    })
    expect(cursorOf(null)).toBeNull()
    for (const position of [{}, { item: {} }, { item: { client: -1, clock: 0 } }, { type: { client: 1, clock: 1.5 } }, { tname: 4 }, { tname: 'x'.repeat(65) }, { item, assoc: 'left' }, 'bluf', null]) {
      expect(cursorOf({ anchor: { item }, head: position })).toBeNull()
    }
    expect(stampPresence({ focus: null }, stamp)).not.toHaveProperty('cursor')
  })
})
