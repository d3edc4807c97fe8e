/**
 * `npm run bench`: every benchmark, one after the other (they share two cores),
 * printed as JSON so runs can be compared. Figures go in the README.
 */
import { cpus } from 'node:os'
import { benchBrowser } from './browser.ts'
import { benchExport } from './export.ts'
import { benchReference } from './reference.ts'
import { benchRelay } from './relay.ts'

const results = {
  machine: { node: process.version, cpus: cpus().length, platform: process.platform },
  relay: await benchRelay(),
  referenceServer: await benchReference(),
  export: await benchExport(),
  browser: await benchBrowser(),
}
console.log(JSON.stringify(results, null, 2))
