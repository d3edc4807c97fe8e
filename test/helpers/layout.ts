/**
 * What a person can reach on a page at a given window size: the page itself
 * never scrolls sideways, and a control, once scrolled to inside its own
 * panel, is inside the window and is what a click there would hit.
 */
import type { Locator, Page } from 'playwright-core'

export const VIEWPORTS = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
] as const

/** A phone's and a tablet's window. */
export const NARROW = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
] as const

/** Every shown element of `within` that reaches past the window's left or right edge, named. */
export function outsideTheWindow(within: Locator): Promise<string[]> {
  return within.evaluate((root) =>
    [root, ...root.querySelectorAll('*')].flatMap((element) => {
      const box = element.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) return []
      if (box.left >= 0 && box.right <= window.innerWidth + 0.5) return []
      return [`${element.tagName}.${element.className} ${Math.round(box.left)}–${Math.round(box.right)} in ${window.innerWidth}`]
    }),
  )
}

/** How far the page reaches past the window's right edge, in CSS pixels (0 when it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth)
}

/**
 * Null when the control is reachable; otherwise what stops it: outside the
 * window, zero-sized, or covered by something else at its centre.
 */
export async function unreachable(control: Locator): Promise<string | null> {
  await control.scrollIntoViewIfNeeded()
  return control.evaluate((element) => {
    const box = element.getBoundingClientRect()
    const name = element.getAttribute('aria-label') || element.textContent?.trim().slice(0, 40) || element.tagName
    if (box.width === 0 || box.height === 0) return `${name}: has no size`
    if (box.left < 0 || box.right > window.innerWidth + 0.5 || box.top < 0 || box.bottom > window.innerHeight + 0.5) {
      return `${name}: outside the window (${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)} in ${window.innerWidth}×${window.innerHeight})`
    }
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    if (!hit || !(element === hit || element.contains(hit) || hit.contains(element))) {
      return `${name}: covered by ${hit ? `${hit.tagName}.${hit.className}` : 'nothing'}`
    }
    return null
  })
}

/** What stops each of the controls from being reached (empty when all can be). */
export async function unreachableAmong(controls: Locator): Promise<string[]> {
  const problems: string[] = []
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue
    const problem = await unreachable(control)
    if (problem) problems.push(problem)
  }
  return problems
}
