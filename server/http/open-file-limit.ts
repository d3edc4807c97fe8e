/**
 * How many files, sockets included, this process may hold open: the soft
 * limit Linux reports (Node raises it to the hard limit as it starts). Null
 * where the system does not say (no /proc), or sets no limit.
 */
import { readFileSync } from 'node:fs'

export function openFileLimit(): number | null {
  try {
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return limit ? Number(limit[1]) : null
  } catch {
    return null
  }
}
