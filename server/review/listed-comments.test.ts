import { describe, expect, it } from 'vitest'
import type { CommentHead } from '../storage/storage.ts'
import { threadsWithin } from './listed-comments.ts'

/** A thread's first comment at minute `minute`, and its replies after it. */
function thread(id: string, minute: number, bodyBytes: number, replies = 0): CommentHead[] {
  const at = (offset: number) => new Date(Date.UTC(2026, 11, 3, 9, minute, offset)).toISOString()
  return [
    { id, parentId: null, createdAt: at(0), bodyBytes },
    ...Array.from({ length: replies }, (_, i) => ({ id: `${id}.${i}`, parentId: id, createdAt: at(i + 1), bodyBytes })),
  ]
}

describe('the threads a listing of comments holds', () => {
  it('holds every thread within the bounds', () => {
    const heads = [...thread('a', 1, 10, 2), ...thread('b', 2, 10)]
    expect(threadsWithin(heads, { comments: 4, bytes: 40 })).toEqual({ ids: ['b', 'a', 'a.0', 'a.1'], complete: true })
  })

  it('holds the newest threads whole, up to the comments and the bytes', () => {
    const heads = [...thread('old', 1, 10), ...thread('mid', 2, 10, 1), ...thread('new', 3, 10)]
    expect(threadsWithin(heads, { comments: 3, bytes: 1000 })).toEqual({ ids: ['new', 'mid', 'mid.0'], complete: false })
    expect(threadsWithin(heads, { comments: 100, bytes: 25 })).toEqual({ ids: ['new', 'old'], complete: false })
  })

  it('leaves out a thread too large to hold, and still holds older ones that fit', () => {
    const heads = [...thread('small', 1, 10), ...thread('huge', 2, 100, 5)]
    expect(threadsWithin(heads, { comments: 100, bytes: 200 })).toEqual({ ids: ['small'], complete: false })
  })

  it('orders threads by their first comment, then by id, whatever order the heads come in', () => {
    const heads = [...thread('b', 1, 1), ...thread('a', 1, 1), ...thread('c', 2, 1)].reverse()
    expect(threadsWithin(heads, { comments: 2, bytes: 100 }).ids).toEqual(['c', 'b'])
  })
})
