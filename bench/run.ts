/**
 * `npm run bench`: every benchmark, one after the other (they share two cores),
 * printed as JSON so runs can be compared. Figures go in the README.
 * `npm run bench -- soak relay` runs only the ones named; flags after the names
 * are the comparison's sizes (`npm run bench -- compare --rounds 5`, bench/compare.ts).
 */
import { cpus } from 'node:os'
import { benchBoardList } from './board-list.ts'
import { benchBrowser } from './browser.ts'
import { benchCommit } from './commit.ts'
import { benchCompare } from './compare.ts'
import { benchCompactionWrite } from './compaction-write.ts'
import { benchDatingBack } from './dating-back.ts'
import { benchDeletedWalk } from './deleted-walk.ts'
import { benchExport } from './export.ts'
import { benchFoldKeystrokes } from './fold-keystrokes.ts'
import { benchHistory } from './history.ts'
import { benchMainThread } from './main-thread.ts'
import { benchMergeInGroups } from './merge-in-groups.ts'
import { benchReference } from './reference.ts'
import { benchRelay } from './relay.ts'
import { benchSoak } from './soak.ts'
import { benchTextRule } from './text-rule.ts'
import { benchWorkerThread } from './worker-thread.ts'

const args = process.argv.slice(2)
const firstFlag = args.findIndex((arg) => arg.startsWith('--'))
const named = firstFlag === -1 ? args : args.slice(0, firstFlag)
const flags = firstFlag === -1 ? [] : args.slice(firstFlag)

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  relay: benchRelay,
  commit: benchCommit,
  referenceServer: benchReference,
  export: benchExport,
  mainThread: benchMainThread,
  mergeInGroups: benchMergeInGroups,
  browser: benchBrowser,
  soak: benchSoak,
  textRule: benchTextRule,
  history: benchHistory,
  foldKeystrokes: benchFoldKeystrokes,
  compactionWrite: benchCompactionWrite,
  workerThread: benchWorkerThread,
  boardList: benchBoardList,
  datingBack: benchDatingBack,
  deletedWalk: benchDeletedWalk,
  compare: () => benchCompare(flags),
}

const unknown = named.filter((name) => !(name in BENCHMARKS))
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`)
  process.exit(2)
}

const results: Record<string, unknown> = { machine: { node: process.version, cpus: cpus().length, platform: process.platform } }
for (const [name, bench] of Object.entries(BENCHMARKS)) {
  if (named.length === 0 || named.includes(name)) results[name] = await bench()
}
console.log(JSON.stringify(results, null, 2))
