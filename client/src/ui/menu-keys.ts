/**
 * The keys of a menu whose items take the focus in turn: the arrows move round
 * its items, Home and End go to its ends, Escape closes it and gives the focus
 * back to what opened it, Tab closes it and lets the focus move on. Keys meant
 * for the menu never reach the board's own shortcuts.
 */
export function onMenuKeydown(event: KeyboardEvent, items: readonly HTMLElement[], close: (options: { refocus: boolean }) => void): void {
  if (event.key === 'Tab') {
    close({ refocus: false })
    return
  }
  event.stopPropagation()
  const at = items.indexOf(document.activeElement as HTMLElement)
  let next: HTMLElement | undefined
  if (event.key === 'ArrowDown') next = items[(at + 1) % items.length]
  else if (event.key === 'ArrowUp') next = items[(at - 1 + items.length) % items.length]
  else if (event.key === 'Home') next = items[0]
  else if (event.key === 'End') next = items[items.length - 1]
  else if (event.key === 'Escape') close({ refocus: true })
  else return
  event.preventDefault()
  next?.focus()
}
