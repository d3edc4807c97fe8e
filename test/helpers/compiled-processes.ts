/**
 * The scripts tests start in processes of their own (the `assay` command line,
 * serve-open.ts, serve-stalling.ts) compiled to JavaScript once per run, as
 * `npm start` runs the server: a child process loading the TypeScript sources
 * through tsx started 0.5 to 2 s later, and the backup, import and fault tests
 * start hundreds of them. Types are not checked here (`npm run typecheck` does).
 */
import { execFile } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { builtSince } from './newest-change.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT_DIR = join(ROOT, 'dist/test-processes')
const CONFIG = join(ROOT, 'test/tsconfig.processes.json')
/** Written once a compile has succeeded: its time is the build's. */
const COMPILED_STAMP = join(OUT_DIR, '.compiled')
const SOURCES = ['server', 'shared', 'test/helpers', 'test/tsconfig.processes.json', 'tsconfig.server.json', 'tsconfig.json', 'package-lock.json']

export async function compileTestProcesses(): Promise<void> {
  if (builtSince(COMPILED_STAMP, SOURCES.map((source) => join(ROOT, source)))) return
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  await promisify(execFile)(process.execPath, [tsc, '-p', CONFIG, '--noCheck'], { cwd: ROOT })
  writeFileSync(COMPILED_STAMP, '')
}

/** The compiled JavaScript of the TypeScript file `source` (a path in the checkout). */
export function compiledScript(source: string): string {
  const script = join(OUT_DIR, relative(ROOT, source)).replace(/\.ts$/, '.js')
  if (!existsSync(script)) throw new Error(`${script} is missing: the tests' global set-up compiles ${relative(ROOT, source)} (test/global-setup.ts)`)
  return script
}
