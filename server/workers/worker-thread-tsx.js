// A worker thread's start from the TypeScript sources (see worker-entry.ts): it
// loads the server's TypeScript through tsx, as server/cli/assay.js does.
import { register } from 'tsx/esm/api'

register()
await import('./worker-thread.ts')
