/**
 * What an operator of the embedded SQLite database does in the backup tests:
 * the real `assay` command line on a data dir, and servers in processes of
 * their own, stopped as `assay serve` is stopped and killed after each test.
 */
import { expect } from 'vitest'
import { startChildServer, type ChildServer } from './child-server.ts'
import { runCli, type CliRun } from './run-cli.ts'

export function sqliteOperator() {
  const servers: ChildServer[] = []
  return {
    assay: (dir: string, ...args: string[]): Promise<CliRun> => runCli(args, { LOG_LEVEL: 'silent', DATA_DIR: dir, DATABASE_URL: '' }),
    async serve(dir: string): Promise<ChildServer> {
      const server = await startChildServer(dir)
      servers.push(server)
      return server
    },
    /** Stops it with SIGTERM, checking it exited cleanly. */
    async stop(server: ChildServer): Promise<void> {
      await server.kill('SIGTERM')
      expect(await server.exited).toEqual({ code: 0, signal: null })
      servers.splice(servers.indexOf(server), 1)
    },
    async killAll(): Promise<void> {
      for (const server of servers.splice(0)) await server.kill()
    },
  }
}
