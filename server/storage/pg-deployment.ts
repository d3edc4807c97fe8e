import { sql } from 'drizzle-orm'
import { deployment } from '../../drizzle/pg/schema.ts'
import type { PgDb } from './pg-db.ts'
import type { DeploymentStore } from './storage.ts'

/** The table's one row. */
const ROW_ID = 1

export class PgDeploymentStore implements DeploymentStore {
  constructor(private readonly db: PgDb) {}

  /**
   * The stored id with the database's name and schema and, where the role may
   * read it, the cluster's system identifier: a pg_restore into another
   * database or another cluster copies the row but not these, so the copy is
   * a deployment of its own. Every instance of one deployment reads the same.
   */
  async identity(): Promise<string> {
    // Made at the first start: the first instance to insert it wins, and every instance reads the same row.
    await this.db.insert(deployment).values({ id: ROW_ID, deploymentId: crypto.randomUUID() }).onConflictDoNothing()
    const [row] = await this.db.select({ deploymentId: deployment.deploymentId }).from(deployment)
    const [place] = await this.db.execute<{ database: string; schema: string }>(sql`select current_database() as database, current_schema() as schema`)
    return [row!.deploymentId, place!.database, place!.schema, await this.systemIdentifier()].join('/')
  }

  /** Readable by any role by default; '' where it was revoked (a managed service), leaving the database's name to tell copies apart. */
  private async systemIdentifier(): Promise<string> {
    try {
      const [control] = await this.db.execute<{ id: string }>(sql`select system_identifier::text as id from pg_control_system()`)
      return control?.id ?? ''
    } catch {
      return ''
    }
  }
}
