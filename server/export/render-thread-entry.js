// The export worker thread (see render-thread.ts). A worker starts without the
// main thread's module hooks, so it loads the server's TypeScript through tsx
// itself, as server/cli/assay.js does.
import { register } from 'tsx/esm/api'

register()
const { serveRenderRequests } = await import('./render-thread.ts')
serveRenderRequests()
