/**
 * A person's colour for presence: rings, avatars and cursors. Each colour
 * carries white text at WCAG AA contrast (4.5:1 or better).
 */
const PALETTE = ['#1d5fd1', '#0f7a4a', '#b3261e', '#7b3fc4', '#a14d00', '#0b7285', '#b0226b', '#4e6b12', '#5f5a00', '#8a3b12']

export function personColour(key: string): string {
  let hash = 0
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0
  return PALETTE[hash % PALETTE.length]!
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return '?'
  return ((words[0]![0] ?? '') + (words.length > 1 ? (words.at(-1)![0] ?? '') : '')).toUpperCase()
}
