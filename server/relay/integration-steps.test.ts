/**
 * integrationSteps counts the steps Item.integrate takes: none for what a
 * page's own edits send (each item beside the neighbours the page saw), the
 * square of the items typed at one place unseen for pages typing backwards
 * there, as Yjs's walk takes them (worked out by hand below).
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { typedBackwards as typedAt } from '../../test/helpers/typed-backwards.ts'
import { integrationSteps } from './integration-steps.ts'

const UNBOUNDED = Number.MAX_SAFE_INTEGER

/** A board holding a judgment, and a page of it under `client` synced with it. */
function boardAndPage(client: number, board = boardWithText()): { board: Y.Doc; page: Y.Doc } {
  const page = new Y.Doc()
  page.clientID = client
  Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
  return { board, page }
}

function boardWithText(): Y.Doc {
  const board = new Y.Doc()
  board.clientID = 1
  board.getText('judgment').insert(0, 'before after')
  return board
}

/** The steps counted for each update the page sends while `edit` runs (one a transaction, as a WebsocketProvider sends them), each applied to the board after it is counted. */
function stepsOfEach(board: Y.Doc, page: Y.Doc, edit: () => void): number[] {
  const steps: number[] = []
  const send = (update: Uint8Array) => {
    steps.push(integrationSteps(board, Y.decodeUpdate(update), UNBOUNDED))
    Y.applyUpdate(board, update)
  }
  page.on('update', send)
  edit()
  page.off('update', send)
  return steps
}

/** `chars` characters typed backwards after "before " by a page of `client` that saw only `seen`: one update. */
function typedBackwards(seen: Uint8Array, client: number, chars: number): Uint8Array {
  return typedAt(seen, client, chars, (doc) => doc.getText('judgment'), 'before '.length)
}

describe('what a page sends of its own edits takes no step', () => {
  const patterns: [string, (text: Y.Text, page: Y.Doc) => void][] = [
    ['typing forwards, a keystroke a transaction', (text) => {
      for (const letter of 'The source is credible.') text.insert(text.length, letter)
    }],
    ['typing in the middle', (text) => {
      for (const [i, letter] of [...'not '].entries()) text.insert(7 + i, letter)
    }],
    ['typing backwards at one place', (text) => {
      for (let i = 0; i < 200; i++) text.insert(7, 'x')
    }],
    ['backspacing, then typing again', (text) => {
      for (const letter of 'probabl') text.insert(text.length, letter)
      for (let i = 0; i < 3; i++) text.delete(text.length - 1, 1)
      for (const letter of 'ably likely') text.insert(text.length, letter)
    }],
    ['an input method revising its words', (text) => {
      for (const word of ['th', 'the ', 'cl', 'clai', 'claim ']) {
        const at = text.length
        text.insert(at, word)
        text.delete(at, word.length)
        text.insert(at, word)
      }
    }],
    ['pasting, then typing inside the pasted text', (text) => {
      text.insert(7, 'pasted '.repeat(500))
      for (const letter of 'inside') text.insert(20, letter)
    }],
    ['undoing and redoing', (text, page) => {
      const undo = new Y.UndoManager(text, { captureTimeout: 0 })
      for (const letter of 'undone') text.insert(7, letter)
      text.delete(0, 3)
      for (let i = 0; i < 7; i++) undo.undo()
      for (let i = 0; i < 7; i++) undo.redo()
      undo.destroy()
      page.getMap('meta').set('title', 'after undo')
    }],
    ['setting a map key again and again', (_text, page) => {
      for (let i = 0; i < 50; i++) page.getMap('meta').set('title', `title ${i}`)
    }],
  ]

  it.each(patterns)('%s', (_name, edit) => {
    const { board, page } = boardAndPage(2)
    const steps = stepsOfEach(board, page, () => edit(page.getText('judgment'), page))
    expect(steps.length).toBeGreaterThan(0)
    expect(steps.every((counted) => counted === 0)).toBe(true)
    expect(board.getText('judgment').toString()).toBe(page.getText('judgment').toString())
  })

  it('two pages typing at one place at once walk only the keystroke the other sent meanwhile', () => {
    const board = boardWithText()
    const one = boardAndPage(2, board).page
    const other = boardAndPage(3, board).page
    const steps: number[] = []
    for (const letter of 'abcdef') {
      // Each types a letter after the last it saw, the other's unseen, then both hear the board.
      const sent = [one, other].map((page) => {
        const before = Y.encodeStateVector(page)
        const text = page.getText('judgment')
        text.insert(text.toString().indexOf(' after'), letter)
        return Y.encodeStateAsUpdate(page, before)
      })
      for (const update of sent) {
        steps.push(integrationSteps(board, Y.decodeUpdate(update), UNBOUNDED))
        Y.applyUpdate(board, update)
      }
      for (const page of [one, other]) Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
    }
    expect(steps.reduce((sum, counted) => sum + counted, 0)).toBeLessThanOrEqual(steps.length)
  })
})

describe('pages typing backwards at one place, unseen by one another', () => {
  it('each page walks every character the pages of lower ids typed there, for each of its own', () => {
    const board = boardWithText()
    const seen = Y.encodeStateAsUpdate(board)
    const counted = [2, 3, 4].map((client) => {
      const update = typedBackwards(seen, client, 100)
      const steps = integrationSteps(board, Y.decodeUpdate(update), UNBOUNDED)
      Y.applyUpdate(board, update)
      return steps
    })
    // Yjs puts each after the lower ids' characters (same origin, lower client): it walks them all, up to its right origin past them.
    expect(counted).toEqual([0, 100 * 100, 2 * 100 * 100])
  })

  it('a page of a lower id walks them once, at its first character, which lands before them', () => {
    const board = boardWithText()
    const seen = Y.encodeStateAsUpdate(board)
    Y.applyUpdate(board, typedBackwards(seen, 9, 100))
    const update = typedBackwards(seen, 2, 100)
    expect(integrationSteps(board, Y.decodeUpdate(update), UNBOUNDED)).toBe(100)
  })

  it('in one update, in the order Yjs takes its clients: the highest first', () => {
    const board = boardWithText()
    const seen = Y.encodeStateAsUpdate(board)
    const merged = Y.mergeUpdates([2, 3, 4].map((client) => typedBackwards(seen, client, 100)))
    // Client 4 walks nothing; 3 the 100 of 4 at its first character; 2 the 100 of 3 at its first, stopping at 3's first, whose right origin is its own.
    expect(integrationSteps(board, Y.decodeUpdate(merged), UNBOUNDED)).toBe(200)
  })

  it('stops counting past its bound', () => {
    const board = boardWithText()
    const seen = Y.encodeStateAsUpdate(board)
    Y.applyUpdate(board, typedBackwards(seen, 2, 100))
    const update = typedBackwards(seen, 3, 100)
    expect(integrationSteps(board, Y.decodeUpdate(update), 500)).toBe(501)
  })
})

it('a map key set with no neighbour by a hostile client walks from the key\'s last value to its first, twice', () => {
  const board = new Y.Doc()
  // Each value set by a page of its own: deleted values of one client side by side would merge into one item.
  for (let i = 0; i < 30; i++) {
    const page = new Y.Doc()
    page.clientID = 100 + i
    Y.applyUpdate(page, Y.encodeStateAsUpdate(board))
    page.getMap('meta').set('title', `title ${i}`)
    Y.applyUpdate(board, Y.encodeStateAsUpdate(page))
  }
  const hostile = new Y.Doc()
  hostile.clientID = 99
  hostile.getMap('meta').set('title', 'unseen')
  // The walk from the last value to the key's first (29 steps), the first value (no origin, no right origin: the walk stops there), the link's walk to the first again.
  expect(integrationSteps(board, Y.decodeUpdate(Y.encodeStateAsUpdate(hostile)), UNBOUNDED)).toBe(29 + 1 + 29)
})
