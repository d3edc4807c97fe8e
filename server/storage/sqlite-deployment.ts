import { deployment } from '../../drizzle/sqlite/schema.ts'
import type { SqliteDb } from './sqlite-db.ts'
import type { DeploymentStore } from './storage.ts'

/** The table's one row. */
export const DEPLOYMENT_ROW_ID = 1

export class SqliteDeploymentStore implements DeploymentStore {
  constructor(private readonly db: SqliteDb) {}

  async identity(): Promise<string> {
    // Made at the first start: the first to insert it wins, and every instance reads the same row.
    this.db.insert(deployment).values({ id: DEPLOYMENT_ROW_ID, deploymentId: crypto.randomUUID() }).onConflictDoNothing().run()
    return this.db.select({ deploymentId: deployment.deploymentId }).from(deployment).get()!.deploymentId
  }
}
