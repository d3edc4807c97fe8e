/**
 * Keeps something fresh while a page shows it: every `intervalMs` while the
 * tab is visible, and at once when the window regains focus or the tab is
 * shown again (the moment a person comes back to look). Returns the cleanup.
 */
export function pollWhileVisible(refresh: () => void, intervalMs: number): () => void {
  const tick = () => {
    if (document.visibilityState === 'visible') refresh()
  }
  const timer = setInterval(tick, intervalMs)
  window.addEventListener('focus', tick)
  document.addEventListener('visibilitychange', tick)
  refresh()
  return () => {
    clearInterval(timer)
    window.removeEventListener('focus', tick)
    document.removeEventListener('visibilitychange', tick)
  }
}

/** Review threads change when people write, not by the second: ten seconds is soon enough to see a reply. */
export const REVIEW_POLL_MS = 10_000
