/**
 * Prints `loads the HTTP API <url>` on a line of its own when the process
 * loads the API's module (server/http/app.ts), through a module hook
 * (api-load-hooks.ts, on Node's hooks thread, which tells this thread):
 * a test sees whether the server loaded it at start, or at the first request
 * (serve-watching-fetch.ts).
 */
import { register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'

const { port1, port2 } = new MessageChannel()
port1.on('message', (url: string) => process.stdout.write(`loads the HTTP API ${url}\n`))
// Never what keeps the process running.
port1.unref()
// Compiled for the test processes, this file and the hooks' are JavaScript.
const hooks = new URL(`./api-load-hooks${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
register(hooks, { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] })
