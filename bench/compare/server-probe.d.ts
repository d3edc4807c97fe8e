/** Types of server-probe.js (plain JavaScript, see there why). */
export type Dialect = 'assay' | 'y-websocket' | 'hocuspocus'

export type TargetReady = {
  /** ws://host:port, to which each dialect adds its path. */
  wsBase: string
  dialect: Dialect
  /** The API token every client presents, or null where the target has no access control. */
  token: string | null
  /** Once the server listens and has been idle long enough for V8 to give back what start-up grew, after a full collection (memoryOnceIdle). */
  startMemory: NodeJS.MemoryUsage
}

export type ServerProbe = TargetReady & {
  /** `count` new boards the token may edit: their ids (fresh names where boards need no creating). */
  createBoards(count: number): Promise<string[]>
  close(): Promise<void>
}

export function settledMemory(): Promise<NodeJS.MemoryUsage>
export function memoryOnceIdle(): Promise<NodeJS.MemoryUsage>
export function serveProbe(probe: ServerProbe): void
