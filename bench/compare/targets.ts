/**
 * The servers compared, each started fresh for every round by
 * server-process.ts from its serve-* script. Every target is plain
 * JavaScript run by plain Node: the peers' own, and Assay's compiled server,
 * as `npm start` runs it.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { BENCH_LIMITS } from '../bench-limits.ts'

export type Target = {
  /** Short name, for `--targets`. */
  id: string
  /** As the table heads its column. */
  title: string
  script: string
  /** Run once before the first round. */
  prepare?(): void
  env(dataDir: string): Record<string, string>
}

export const TARGETS: readonly Target[] = [
  { id: 'y-websocket', title: '@y/websocket-server 0.1.1', script: 'serve-y-websocket.js', env: () => ({}) },
  { id: 'hocuspocus', title: 'Hocuspocus 4.7', script: 'serve-hocuspocus.js', env: () => ({}) },
  {
    id: 'hocuspocus-sqlite',
    title: 'Hocuspocus + SQLite',
    script: 'serve-hocuspocus.js',
    env: (dataDir) => ({ HOCUSPOCUS_SQLITE: join(dataDir, 'hocuspocus.db') }),
  },
  {
    id: 'assay',
    title: 'Assay',
    script: 'serve-assay.js',
    // Compiles the server to dist/server; its output goes to stderr, stdout being the bench's JSON.
    prepare: () => execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: ['ignore', process.stderr, 'inherit'] }),
    env: (dataDir) => ({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '', ...BENCH_LIMITS }),
  },
]
