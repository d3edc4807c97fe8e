/**
 * `npm run bench`: every benchmark, one after the other (they share two cores),
 * printed as JSON so runs can be compared. Figures go in the README.
 * `npm run bench -- soak relay` runs only the ones named.
 */
import { cpus } from 'node:os'
import { benchBrowser } from './browser.ts'
import { benchExport } from './export.ts'
import { benchHistory } from './history.ts'
import { benchMainThread } from './main-thread.ts'
import { benchReference } from './reference.ts'
import { benchRelay } from './relay.ts'
import { benchSoak } from './soak.ts'
import { benchTextRule } from './text-rule.ts'

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  relay: benchRelay,
  referenceServer: benchReference,
  export: benchExport,
  mainThread: benchMainThread,
  browser: benchBrowser,
  soak: benchSoak,
  textRule: benchTextRule,
  history: benchHistory,
}

const named = process.argv.slice(2)
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
