/**
 * A second process on one folder trying the held-changes spool's lock as a server does (held-change-spool.ts: exclusive,
 * kept): at each line read, it tries once and prints `held` or `refused`; once held it keeps it until killed.
 * argv: the folder.
 */
import { createInterface } from 'node:readline'
import { trySqliteServingLock } from '../../server/storage/sqlite-serving-lock.ts'

const folder = process.argv[2]!
let held = false
for await (const _line of createInterface({ input: process.stdin })) {
  held ||= trySqliteServingLock(folder, 'exclusive', { fileName: 'spool.lock', kept: true }) !== null
  console.log(held ? 'held' : 'refused')
}
