import { describe, expect, it } from 'vitest'
import { diffBoards, diffText, isEmptyDiff } from '../../shared/board-diff.ts'
import { fixtureBoards } from '../helpers/fixture-board.ts'

const { previous, board } = fixtureBoards()

describe('diffBoards', () => {
  it('finds nothing between a board and itself', () => {
    expect(isEmptyDiff(diffBoards(board, board))).toBe(true)
  })

  it('lists added, removed and changed entities per collection, with the changed fields', () => {
    const diff = diffBoards(previous, board)
    expect(isEmptyDiff(diff)).toBe(false)
    expect(diff.meta).toEqual([])
    expect(diff.assessments.added.map((a) => a.title)).toEqual(['Renewed mutiny in Russia'])
    expect(diff.assessments.removed).toEqual([])
    const [relocation] = diff.assessments.changed
    expect(relocation!.to.title).toBe('Wagner forces relocate to Belarus')
    expect(relocation!.fields.map((f) => f.field)).toEqual(['judgment', 'likelihood', 'confidence'])
    expect(relocation!.fields.find((f) => f.field === 'likelihood')).toMatchObject({ from: 3, to: 5 })
    expect(diff.claims.changed.map((c) => c.fields)).toEqual([[{ field: 'status', from: 'active', to: 'retracted' }]])
    expect(diff.links.added).toHaveLength(1)
    expect(diff.sources).toEqual({ added: [], removed: [], changed: [] })

    const back = diffBoards(board, previous)
    expect(back.assessments.removed.map((a) => a.title)).toEqual(['Renewed mutiny in Russia'])
    expect(back.links.removed).toHaveLength(1)
  })

  it('diffs changed texts word by word', () => {
    const judgment = diffBoards(previous, board).assessments.changed[0]!.fields.find((f) => f.field === 'judgment')!
    expect(judgment.words?.filter((w) => w.change !== 'kept')).toEqual([
      { change: 'removed', text: 'A large part' },
      { change: 'added', text: 'Most' },
    ])
  })

  it('sees board settings, moves and removed optional fields', () => {
    const [first, second] = board.assessments
    const moved = { ...board, marking: 'TLP:RED', assessments: [{ ...first!, order: 'zz' }, second!], sources: board.sources.map(({ url: _u, ...s }) => s) }
    const diff = diffBoards(board, moved)
    expect(diff.meta).toEqual([{ field: 'marking', from: 'TLP:AMBER', to: 'TLP:RED' }])
    expect(diff.assessments.changed[0]!.fields).toEqual([{ field: 'order', from: first!.order, to: 'zz' }])
    expect(diff.assessments.removed).toHaveLength(board.assessments.length - 2)
    expect(diff.sources.changed.map((c) => c.fields)).toEqual([[{ field: 'url', from: 'https://www.nato.int/', to: undefined }]])
  })
})

describe('diffText', () => {
  it('keeps the words both texts share', () => {
    const edits = diffText('very likely to move', 'likely to move soon')
    expect(edits?.map((e) => [e.change, e.text.trim()])).toEqual([
      ['removed', 'very'],
      ['kept', 'likely to move'],
      ['added', 'soon'],
    ])
  })
})
