import { deployment } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { DeploymentStore } from './storage.ts'

/** The table's one row. */
export const DEPLOYMENT_ROW_ID = 1

/**
 * Makes the deployment's row if the file has none (a new database, or one
 * `assay restore` put in place): the first to insert it wins, and every
 * instance reads the same row. Run as the file is opened, with what the
 * migrations write, so that a start writes nothing past them and the WAL's
 * checkpoint thread waits for the first edit (sqlite.ts).
 */
export function noteDeployment(db: SqliteDb): void {
  db.insert(deployment).values({ id: DEPLOYMENT_ROW_ID, deploymentId: crypto.randomUUID() }).onConflictDoNothing().run()
}

export class SqliteDeploymentStore implements DeploymentStore {
  constructor(private readonly db: SqliteDb) {}

  async identity(): Promise<string> {
    const read = () => this.db.select({ deploymentId: deployment.deploymentId }).from(deployment).get()?.deploymentId
    const noted = read()
    if (noted !== undefined) return noted
    noteDeployment(this.db)
    return read()!
  }
}
