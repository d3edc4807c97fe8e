/** Where a key press belongs to the focused control rather than to the board's shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(target.type)
  return false
}

/** The board's shortcuts, as the ? dialog lists them. */
export const SHORTCUTS: readonly { keys: string[]; what: string; editorsOnly?: boolean }[] = [
  { keys: ['N'], what: 'New assessment', editorsOnly: true },
  { keys: ['/'], what: 'Search cards and claims' },
  { keys: ['J', '↓'], what: 'Next card or claim' },
  { keys: ['K', '↑'], what: 'Previous card or claim' },
  { keys: ['Alt+↓', 'Alt+↑'], what: 'Move the card down or up', editorsOnly: true },
  { keys: ['Enter'], what: 'Edit the selected card (or inspect the selected claim)' },
  { keys: ['Esc'], what: 'Leave the field, back to the list' },
  { keys: ['L'], what: 'Link the selected claim to the selected assessment', editorsOnly: true },
  { keys: ['Ctrl+Z'], what: 'Undo your last change (never anyone else’s)', editorsOnly: true },
  { keys: ['Ctrl+Shift+Z'], what: 'Redo', editorsOnly: true },
  { keys: ['G'], what: 'Switch between the board and the likelihood × impact grid' },
  { keys: ['A'], what: 'Switch between the board and the ACH matrix (analysis of competing hypotheses)' },
  { keys: ['?'], what: 'This list' },
]
