import type { Principal } from '../access/access.ts'
import type { Logger } from '../log.ts'
import type { Services } from '../services.ts'

/** What every request handler can read from its context. */
export type AppEnv = {
  Variables: {
    services: Services
    logger: Logger
    /** Set by the authentication middleware; absent on public routes. */
    principal: Principal
  }
}
