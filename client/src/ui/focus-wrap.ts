/**
 * Tab and Shift+Tab wrap around inside a modal dialog. A <dialog> opened with
 * showModal() makes the page behind it inert, but Chromium still lets Tab
 * leave its last control for the document itself (or the browser's own
 * controls), one step outside the dialog before it comes back: here Tab from
 * the last control goes to the first, and Shift+Tab from the first to the last.
 */
import type { Action } from 'svelte/action'

const FOCUSABLE = 'a[href], button, input, select, textarea, iframe, [tabindex], [contenteditable]:not([contenteditable="false"])'

/** Whether Tab would stop on the element: enabled, in the tab order, shown; of a group of radio buttons with one checked, only that one. */
function tabbable(element: HTMLElement, within: HTMLElement): boolean {
  if (element.tabIndex < 0 || element.matches(':disabled') || element.closest('[inert]')) return false
  if (!element.checkVisibility({ visibilityProperty: true })) return false
  if (element instanceof HTMLInputElement && element.type === 'radio' && element.name && !element.checked) {
    return !within.querySelector(`input[type="radio"][name="${CSS.escape(element.name)}"]:checked`)
  }
  return true
}

export const wrapFocus: Action<HTMLElement> = (node) => {
  function onkeydown(event: KeyboardEvent) {
    if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey) return
    const stops = Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((element) => tabbable(element, node))
    const first = stops[0]
    const last = stops.at(-1)
    if (!first || !last) return
    const active = document.activeElement
    const outside = !(active instanceof HTMLElement) || active === node || !node.contains(active)
    if (event.shiftKey ? active === first || outside : active === last || outside) {
      event.preventDefault()
      ;(event.shiftKey ? last : first).focus()
    }
  }
  node.addEventListener('keydown', onkeydown)
  return { destroy: () => node.removeEventListener('keydown', onkeydown) }
}
