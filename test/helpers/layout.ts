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

/** How far the page reaches past the window's right edge, in CSS pixels (0 when it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth)
}

/**
 * Null when the control is reachable; otherwise what stops it: outside the
 * window, not visible, or covered by something else at its centre.
 */
export async function unreachable(control: Locator): Promise<string | null> {
  await control.scrollIntoViewIfNeeded()
  // reachProblems leaves hidden controls out, as a panel's list of them may hold some; this one must be seen.
  if (!(await control.isVisible())) return 'not visible: zero-sized or hidden by its style'
  const [problem] = await control.evaluateAll(reachProblems)
  return problem ?? null
}

/**
 * What stops each of the controls from being reached (empty when all can be),
 * the hidden ones left out. Checked in the page in one go: a round trip of the
 * browser's protocol to scroll to each, and two more to look, took 5 to 10 s of
 * a layout test for the inspector's 38 controls on a loaded machine.
 */
export async function unreachableAmong(controls: Locator): Promise<string[]> {
  return (await controls.evaluateAll(reachProblems)).filter((problem) => problem !== null)
}

/**
 * In the page: each element scrolled into view inside its panel as Playwright
 * scrolls (centred, only if it is not in view already), left two frames to
 * settle if that moved it, then what stops it, or null; null too for an element
 * hidden as Playwright's isVisible() sees it (no size, or not visible by style).
 */
async function reachProblems(elements: Element[]): Promise<(string | null)[]> {
  const nextFrame = () => new Promise((painted) => requestAnimationFrame(painted))
  const problems: (string | null)[] = []
  for (const element of elements) {
    const before = element.getBoundingClientRect()
    if (before.width === 0 || before.height === 0 || !element.checkVisibility({ visibilityProperty: true })) {
      problems.push(null)
      continue
    }
    // Chromium's own (not in the DOM standard): what the DevTools protocol's scrollIntoViewIfNeeded does.
    ;(element as Element & { scrollIntoViewIfNeeded(centerIfNeeded: boolean): void }).scrollIntoViewIfNeeded(true)
    const scrolled = element.getBoundingClientRect()
    if (scrolled.left !== before.left || scrolled.top !== before.top) {
      await nextFrame()
      await nextFrame()
    }
    const box = element.getBoundingClientRect()
    const name = element.getAttribute('aria-label') || element.textContent?.trim().slice(0, 40) || element.tagName
    if (box.left < 0 || box.right > window.innerWidth + 0.5 || box.top < 0 || box.bottom > window.innerHeight + 0.5) {
      problems.push(`${name}: outside the window (${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)} in ${window.innerWidth}×${window.innerHeight})`)
      continue
    }
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    problems.push(!hit || !(element === hit || element.contains(hit) || hit.contains(element)) ? `${name}: covered by ${hit ? `${hit.tagName}.${hit.className}` : 'nothing'}` : null)
  }
  return problems
}
