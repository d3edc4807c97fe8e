/**
 * People's colours and initials: rings, avatars and cursors for presence,
 * dots in the history. Each colour carries white text at WCAG AA contrast
 * (4.5:1 or better).
 */
const PALETTE = ['#1d5fd1', '#0f7a4a', '#b3261e', '#7b3fc4', '#a14d00', '#0b7285', '#b0226b', '#4e6b12', '#5f5a00', '#8a3b12']

/** A colour from the key alone, for lists of people with no shared assignment (the history's sessions). */
export function personColour(key: string): string {
  let hash = 0
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0
  return PALETTE[hash % PALETTE.length]!
}

/**
 * Colours for the people present, by their identity: the identities sorted,
 * each given the next colour of the palette. Everyone who sees the same people
 * assigns the same colours, and no two share one until more people than
 * colours are present.
 */
export function assignColours(ids: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(ids)].sort()
  return new Map(sorted.map((id, index) => [id, PALETTE[index % PALETTE.length]!]))
}

function words(name: string): string[] {
  return name.trim().split(/\s+/).filter(Boolean)
}

/** First and last initial: "Ana Petrova" → "AP", "Ana" → "A". */
export function initials(name: string): string {
  return initialsAt(words(name), 1)
}

/** The first `length` letters of the first name and of the last, capitalised: 1 gives "AP", 2 "AnPe". */
function initialsAt(parts: string[], length: number): string {
  if (parts.length === 0) return '?'
  const first = [...parts[0]!].slice(0, length).join('')
  const last = parts.length > 1 ? [...parts.at(-1)!].slice(0, length).join('') : ''
  const capital = (part: string) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()
  return length === 1 ? (first + last).toUpperCase() : capital(first) + capital(last)
}

/**
 * Initials for the people present that tell them apart: "AP", lengthened to
 * "AnPe" or "AnaPet" for those who would share them, and numbered ("AP1",
 * "AP2", in the order of their keys) where even that does not. Keyed like
 * `people` (key → name); the same for every viewer who sees the same people.
 */
export function distinctInitials(people: ReadonlyMap<string, string>): Map<string, string> {
  const groups = new Map<string, string[]>()
  for (const [key, name] of people) groups.set(initials(name), [...(groups.get(initials(name)) ?? []), key])
  const result = new Map<string, string>()
  for (const [short, keys] of groups) {
    if (keys.length === 1) {
      result.set(keys[0]!, short)
      continue
    }
    const at = (length: number) => keys.map((key) => initialsAt(words(people.get(key)!), length))
    const two = at(2)
    const labels = new Set(two).size === keys.length ? two : at(3)
    const sorted = [...keys].sort()
    keys.forEach((key, index) => {
      const sharing = sorted.filter((other) => labels[keys.indexOf(other)] === labels[index])
      result.set(key, sharing.length > 1 ? `${short}${sharing.indexOf(key) + 1}` : labels[index]!)
    })
  }
  return result
}
