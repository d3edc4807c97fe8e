/**
 * The project's own imports as a graph, and its circles: groups of files that
 * import each other, directly or round about. Type-only imports count (a type
 * that two modules need from each other is an idea that lives in neither), and
 * so do dynamic ones. Read with TypeScript's own import scanner; a Svelte
 * component contributes the imports of its scripts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const SOURCE = /\.(ts|js|svelte)$/
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'test-artifacts', '.git'])

/** Every source file under `folders` (relative to `root`), as paths relative to it. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const found: string[] = []
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      if (statSync(path).isDirectory()) {
        if (!SKIPPED_FOLDERS.has(name)) walk(path)
      } else if (SOURCE.test(name)) found.push(relative(root, path))
    }
  }
  for (const folder of folders) walk(join(root, folder))
  return found.sort()
}

/** The files of the project that `file` imports (relative specifiers only: packages are not the project's). */
export function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const code = file.endsWith('.svelte') ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n') : text
  const { importedFiles } = ts.preProcessFile(code, true, true)
  const targets = new Set<string>()
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue
    const target = resolveImport(root, file, fileName)
    if (target) targets.add(target)
  }
  return [...targets]
}

function resolveImport(root: string, from: string, specifier: string): string | null {
  const base = resolve(root, dirname(from), specifier)
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate)
  }
  return null
}

/** The circles among `files`: each a group of two or more files that reach each other (or one that imports itself). */
export function importCircles(root: string, files: readonly string[]): string[][] {
  const edges = new Map(files.map((file) => [file, importsOf(root, file)]))
  // Tarjan's strongly connected components, iteratively: no recursion limit on a long chain of imports.
  const index = new Map<string, number>()
  const lowLink = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const circles: string[][] = []
  let counter = 0
  for (const start of files) {
    if (index.has(start)) continue
    const work: { file: string; next: number }[] = [{ file: start, next: 0 }]
    index.set(start, counter)
    lowLink.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = edges.get(frame.file) ?? []
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!
        if (!edges.has(target)) continue
        if (!index.has(target)) {
          index.set(target, counter)
          lowLink.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ file: target, next: 0 })
        } else if (onStack.has(target)) lowLink.set(frame.file, Math.min(lowLink.get(frame.file)!, index.get(target)!))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) lowLink.set(parent.file, Math.min(lowLink.get(parent.file)!, lowLink.get(frame.file)!))
      if (lowLink.get(frame.file) !== index.get(frame.file)) continue
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== frame.file)
      if (component.length > 1 || targets.includes(frame.file)) circles.push(component.sort())
    }
  }
  return circles
}
