import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiProblem } from '../app/api.ts'
import { historyApi } from './history-api.ts'

const busy = (code: string, retryAfter: string) =>
  new Response(JSON.stringify({ error: { code, message: `Refused as ${code}.` } }), { status: 429, headers: { 'content-type': 'application/json', 'retry-after': retryAfter } })

describe('a costly history read the server refuses as busy', () => {
  const fetch = vi.fn<typeof globalThis.fetch>()
  beforeEach(() => {
    vi.useFakeTimers()
    vi.stubGlobal('fetch', fetch)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    fetch.mockReset()
  })

  it('is tried again after Retry-After, capped at 30 s, three tries in all, then fails with the server’s message', async () => {
    fetch.mockImplementation(async () => busy('history_reads_busy', '120'))
    const heard: (number | null)[] = []
    const read = historyApi.history('b1', { signal: new AbortController().signal, onWait: (seconds) => heard.push(seconds) })
    const failed = expect(read).rejects.toThrow(new ApiProblem(429, 'history_reads_busy', 'Refused as history_reads_busy.', 120))
    await vi.advanceTimersByTimeAsync(60_000)
    await failed
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(heard).toEqual([30, null, 30, null])
  })

  it('stops waiting, and asks no more, once a newer read supersedes it', async () => {
    fetch.mockImplementation(async () => busy('too_many_history_reads', '5'))
    const superseded = new AbortController()
    const read = historyApi.state('b1', '2026-01-01T00:00:00.000Z', { signal: superseded.signal, onWait: () => superseded.abort(new Error('another moment')) })
    await expect(read).rejects.toThrow('another moment')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('is not tried again when refused for another reason', async () => {
    fetch.mockImplementation(async () => busy('too_many_requests', '5'))
    await expect(historyApi.history('b1', { signal: new AbortController().signal, onWait: () => {} })).rejects.toThrow('Refused as too_many_requests.')
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
