/**
 * One JSON text per value, whoever serializes it and in whatever order its keys
 * were set: object keys sorted by UTF-16 code units, no whitespace, `undefined`
 * members left out as JSON.stringify leaves them. Content hashes are taken of
 * this form, so it must never change for a value that has not.
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value)
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form')
  return text
}

function serialize(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`)
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((item) => serialize(item) ?? 'null').join(',')}]`
  if (typeof value === 'object') {
    const members: string[] = []
    for (const key of Object.keys(value).sort()) {
      const member = serialize((value as Record<string, unknown>)[key])
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`)
    }
    return `{${members.join(',')}}`
  }
  return undefined
}
