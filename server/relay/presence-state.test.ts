import { describe, expect, it } from 'vitest'
import { encodePresenceUpdate, PresenceRefused, readPresenceUpdate, readRelayedPresence, relayedPresence, relayedPresenceJson, stampPresence } from './presence-state.ts'

const limits = { presenceBytes: 4096, presenceDepth: 4 }
const read = (json: string) => readPresenceUpdate(encodePresenceUpdate([{ clientId: 1, clock: 2, json }]), limits).entries

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

describe('reading presence sent back', () => {
  it('skips unread what the echo test names, counting its bytes, and still refuses one over the size', () => {
    const sentBack = [
      { clientId: 1, clock: 3, json: '{"not json' },
      { clientId: 3, clock: 5, json: 'null' },
    ]
    const update = encodePresenceUpdate([sentBack[0]!, { clientId: 2, clock: 1, json: '{"n":1}' }, sentBack[1]!])
    /** An entry's bytes: its update's, less the one byte of the count. */
    const entryBytes = (entry: (typeof sentBack)[number]) => encodePresenceUpdate([entry]).byteLength - 1
    const named: [number, number, boolean][] = []
    const { entries, echoBytes } = readPresenceUpdate(update, limits, (clientId, clock, removal) => {
      named.push([clientId, clock, removal])
      return clientId === 2 ? 'read' : 'echo'
    })
    expect(entries).toEqual([{ clientId: 2, clock: 1, state: { n: 1 } }])
    expect(named).toEqual([[1, 3, false], [2, 1, false], [3, 5, true]])
    expect(echoBytes).toBe(entryBytes(sentBack[0]!) + entryBytes(sentBack[1]!))
    const oversized = encodePresenceUpdate([{ clientId: 1, clock: 3, json: `{"a":"${'x'.repeat(5000)}"}` }])
    expect(() => readPresenceUpdate(oversized, limits, () => 'echo')).toThrow(PresenceRefused)
  })

  it('reads no state of an entry dropped, nor of one a later entry of its id outdoes, counting their bytes', () => {
    const update = encodePresenceUpdate([
      { clientId: 1, clock: 4, json: '{"outdone by clock 5 after it' },
      { clientId: 2, clock: 1, json: '{"not one the connection may hold' },
      { clientId: 1, clock: 5, json: '{"n":5}' },
      { clientId: 1, clock: 3, json: '{"older than clock 5' },
    ])
    const read = readPresenceUpdate(update, limits, (clientId) => (clientId === 1 ? 'read' : 'drop'))
    expect(read.entries).toEqual([{ clientId: 1, clock: 5, state: { n: 5 } }])
    expect(read.readBytes).toBe('{"n":5}'.length)
    expect(read.skippedBytes).toBe('{"outdone by clock 5 after it'.length + '{"not one the connection may hold'.length + '{"older than clock 5'.length)
    expect(read.echoBytes).toBe(0)
  })
})

describe('reading presence another instance relayed', () => {
  it('refuses an entry alone, and a malformed update whole', () => {
    const update = encodePresenceUpdate([
      { clientId: 1, clock: 1, json: `{"a":"${'x'.repeat(5000)}"}` },
      { clientId: 2, clock: 1, json: '{"n":1}' },
      { clientId: 3, clock: 1, json: '[1]' },
      { clientId: 4, clock: 2, json: 'null' },
    ])
    const { entries, refused } = readRelayedPresence(update, limits)
    expect(entries).toEqual([
      { clientId: 2, clock: 1, state: { n: 1 } },
      { clientId: 4, clock: 2, state: null },
    ])
    expect(refused).toHaveLength(2)
    expect(() => readRelayedPresence(update.subarray(0, update.length - 1), limits)).toThrow()
  })
})

describe('stamping presence', () => {
  it('measures the state as relayed: what the stamp and JSON add count against the limit', () => {
    const stamp = { userId: 'u1', name: 'Eve', readOnly: true }
    expect(relayedPresenceJson(stampPresence({ focus: null }, stamp), limits)).toBe('{"user":{"id":"u1","name":"Eve","readOnly":true},"focus":null}')
    const sent = { focus: { assessmentId: 'x'.repeat(1000), field: 'title' } }
    expect(JSON.stringify(sent).length).toBeLessThan(limits.presenceBytes)
    expect(() => relayedPresenceJson(stampPresence(sent, { ...stamp, name: 'E'.repeat(3100) }), limits)).toThrow(PresenceRefused)
    const numbers = `{"n":[${Array.from({ length: 500 }, () => '1e20').join(',')}]}`
    expect(() => relayedPresenceJson(JSON.parse(numbers) as { n: number[] }, limits)).toThrow(PresenceRefused)
  })

  it('puts the signed-in identity in `user`, keeps hex colours, drops `server`', () => {
    const stamped = stampPresence(
      { user: { name: 'Administrator', color: '#1d5fd1', colorLight: 'url(x)', isAdmin: true }, focus: { assessmentId: 'a' }, server: { saving: 'failing' } },
      { userId: 'u1', name: 'Eve', readOnly: true },
    )
    expect(stamped).toEqual({ user: { id: 'u1', name: 'Eve', readOnly: true, color: '#1d5fd1' }, focus: { assessmentId: 'a', field: null } })
  })

  it('relays no selection colour and only an opaque colour: an earlier build’s tab painted a published `colorLight` over the text', () => {
    const editor = { userId: 'u2', name: 'Ed', readOnly: false }
    expect(stampPresence({ user: { color: '#111111', colorLight: '#111111ff' } }, editor).user).toEqual({ id: 'u2', name: 'Ed', readOnly: false, color: '#111111' })
    expect(stampPresence({ user: { color: '#0a7' } }, editor).user).toEqual({ id: 'u2', name: 'Ed', readOnly: false, color: '#0a7' })
    for (const color of ['#1111', '#11111', '#111111ff', 'red']) {
      expect(stampPresence({ user: { color } }, editor).user).not.toHaveProperty('color')
    }
  })

  it('keeps of a reader’s state the card she is on, never a field nor a cursor (as stamped, and as an earlier instance relayed it)', () => {
    const cursor = { anchor: { tname: 'a' }, head: { tname: 'a' } }
    const reader = { userId: 'u1', name: 'Eve', readOnly: true }
    expect(stampPresence({ focus: { assessmentId: 'a', field: 'title' }, cursor }, reader)).toEqual({
      user: { id: 'u1', name: 'Eve', readOnly: true },
      focus: { assessmentId: 'a', field: null },
    })
    expect(stampPresence({ focus: { field: 'title' } }, reader).focus).toBeNull()
    expect(stampPresence({}, reader)).not.toHaveProperty('focus')
    const relayed = { user: { id: 'u1', name: 'Eve', readOnly: true }, focus: { assessmentId: 'a', field: 'judgment' }, cursor }
    expect(relayedPresence(relayed)).toEqual({ user: relayed.user, focus: { assessmentId: 'a', field: null } })
  })

  it('keeps only the keys pages read, each checked: a member’s extra keys and a bogus field are dropped', () => {
    const editor = { userId: 'u2', name: 'Ed', readOnly: false }
    const sent = { user: { color: '#0a7', html: '<img src=x onerror=alert(1)>' }, focus: { assessmentId: 'a', field: '<script>', extra: 1 }, note: '<img src=x onerror=alert(1)>' }
    expect(stampPresence(sent, editor)).toEqual({ user: { id: 'u2', name: 'Ed', readOnly: false, color: '#0a7' }, focus: { assessmentId: 'a', field: null } })
    expect(stampPresence({ focus: { assessmentId: 'a', field: 'judgment' } }, editor).focus).toEqual({ assessmentId: 'a', field: 'judgment' })
    expect(stampPresence({ focus: { assessmentId: 'x'.repeat(1001), field: 'title' } }, editor).focus).toBeNull()
    expect(stampPresence({ focus: 'a' }, editor).focus).toBeNull()
  })

  it('holds presence another instance relayed to what the stamp keeps, and an instance’s own entry to its notice', () => {
    const user = { id: 'u2', name: 'Ed', readOnly: false, color: '#0a7' }
    expect(relayedPresence({ user: { ...user, admin: true }, focus: { assessmentId: 'a', field: 'x' }, note: 'x' })).toEqual({ user, focus: { assessmentId: 'a', field: null } })
    expect(relayedPresence({ user: { id: 7, name: 'Ed' } })).toEqual({ user: { id: null, name: 'Ed', readOnly: false } })
    expect(relayedPresence({ server: { saving: 'failing', since: 't' } })).toEqual({ server: { saving: 'failing', since: 't' } })
    expect(relayedPresence({ note: 'x' })).toEqual({})
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
