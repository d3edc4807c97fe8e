/**
 * fsync for a file and for the folder naming it: a backup or a restore is
 * reported done only once the copy, and its name, would survive a power cut.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs'

export function syncToDisk(path: string): void {
  const descriptor = openSync(path, 'r')
  try {
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
}
