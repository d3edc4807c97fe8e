/**
 * How many times a page called one function of the built client, read from
 * Chromium's precise coverage (call counts), so a browser test can count work
 * without a hook in the client or a timing. The function is found by a string
 * that only it holds in the bundle (its names are minified away): the
 * innermost function whose source holds that string.
 */
import type { Page } from 'playwright-core'

type FunctionCoverage = { ranges: { startOffset: number; endOffset: number; count: number }[] }
type ScriptCoverage = { url: string; functions: FunctionCoverage[] }

export type CallCount = {
  /** The calls since the count started or was last taken; taking it starts the count again from 0. */
  take(): Promise<number>
  stop(): Promise<void>
}

export async function countCalls(page: Page, heldString: string): Promise<CallCount> {
  const session = await page.context().newCDPSession(page)
  await session.send('Profiler.enable')
  await session.send('Profiler.startPreciseCoverage', { callCount: true, detailed: false })
  const sources = new Map<string, string>()
  const sourceOf = async (url: string) => {
    let source = sources.get(url)
    if (source === undefined) sources.set(url, (source = await (await page.context().request.get(url)).text()))
    return source
  }

  const take = async () => {
    const { result } = (await session.send('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] }
    let holders = 0
    let calls = 0
    for (const script of result.filter((s) => s.url.endsWith('.js'))) {
      const source = await sourceOf(script.url)
      const at = source.indexOf(heldString)
      if (at === -1) continue
      if (source.indexOf(heldString, at + 1) !== -1) throw new Error(`“${heldString}” is in ${script.url} more than once`)
      holders++
      // A function's first range is the whole function, with its call count.
      const innermost = script.functions
        .flatMap((f) => f.ranges.slice(0, 1))
        .filter((range) => range.startOffset <= at && at < range.endOffset)
        .sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset))[0]
      calls += innermost?.count ?? 0
    }
    if (holders !== 1) throw new Error(`“${heldString}” is in ${holders} scripts of the page, not 1`)
    return calls
  }

  return {
    take,
    stop: async () => {
      await session.send('Profiler.stopPreciseCoverage')
      await session.detach()
    },
  }
}
