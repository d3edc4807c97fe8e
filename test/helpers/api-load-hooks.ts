/** Module hooks for watch-api-load.ts: tells it of each load of the HTTP API's module. */
import type { LoadHook } from 'node:module'
import type { MessagePort } from 'node:worker_threads'

let port: MessagePort | undefined

export function initialize(data: { port: MessagePort }): void {
  port = data.port
}

export const load: LoadHook = async (url, context, nextLoad) => {
  if (/\/server\/http\/app\.[jt]s$/.test(url)) port?.postMessage(url)
  return nextLoad(url, context)
}
