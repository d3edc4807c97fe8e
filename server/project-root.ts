/**
 * The checkout's root, where package.json is, for the files the server reads
 * beside its code (the built client, the migrations, the demo article): the
 * same whether it runs from the TypeScript sources or from the compiled
 * JavaScript in dist/server, which sits deeper.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function rootAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`)
  }
}

export const PROJECT_ROOT = rootAbove(dirname(fileURLToPath(import.meta.url)))

/** A path inside the checkout, written from its root. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts)
