/**
 * A folder that several tests of a file start from, made once for the file
 * and copied into each test's own folder, which the test then changes: e.g. a
 * data dir a server made and a backup of it, each made by a process of its own.
 */
import { cpSync, rmSync } from 'node:fs'
import { afterAll } from 'vitest'
import { tempDir } from './test-server.ts'

/** `make` fills the folder it is given and returns what the tests need to know of it (e.g. a board's id). */
export function copiedFixture<T>(make: (folder: string) => Promise<T>): (into: string) => Promise<T> {
  let folder: string | undefined
  let made: Promise<T> | undefined
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true })
  })
  return async (into) => {
    if (!made) {
      folder = tempDir()
      made = make(folder)
    }
    const value = await made
    cpSync(folder!, into, { recursive: true })
    return value
  }
}
