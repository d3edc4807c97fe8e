import { lstatSync } from 'node:fs'

/** Whether anything has the name `path`: a symbolic link too, even one to nothing, which `existsSync` takes for nothing. */
export function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined
}
