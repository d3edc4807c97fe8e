/**
 * The script a worker thread starts from: decided here and nowhere else.
 *
 * A worker thread starts without the main thread's module hooks, so from the
 * TypeScript sources (tsx, vitest) it starts from a JavaScript file that
 * registers tsx and then imports `worker-thread.ts`. Once the server is
 * compiled to JavaScript this module is itself `worker-entry.js`, and the
 * thread starts from the compiled `worker-thread.js` directly.
 */
export function workerEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./worker-thread-tsx.js', import.meta.url)
    : new URL('./worker-thread.js', import.meta.url)
}
