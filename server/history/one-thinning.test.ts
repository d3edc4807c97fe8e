import { expect, it } from 'vitest'
import { thinAlone } from './one-thinning.ts'

it('skips a board being thinned already, not another board, nor the board once the first is done', async () => {
  let finish = () => {}
  const first = thinAlone('a', () => new Promise<string>((resolve) => (finish = () => resolve('first'))))
  expect(await thinAlone('a', () => Promise.resolve('second'))).toBeNull()
  expect(await thinAlone('b', () => Promise.resolve('other board'))).toBe('other board')
  finish()
  expect(await first).toBe('first')
  await expect(thinAlone('a', () => Promise.reject(new Error('failed')))).rejects.toThrow('failed')
  expect(await thinAlone('a', () => Promise.resolve('after a failure'))).toBe('after a failure')
})
