/**
 * Wraps the getters Node defines for `Request`, `Response`, `Headers` and
 * `FormData`, which load undici at their first read, to print that read
 * (serve-watching-fetch.ts). Evaluated before anything else the process
 * imports.
 */
for (const name of ['Request', 'Response', 'Headers', 'FormData']) {
  const lazy = Object.getOwnPropertyDescriptor(globalThis, name)
  if (!lazy?.get) throw new Error(`expected Node to define ${name} with a getter that loads it`)
  const load = lazy.get
  let told = false
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: lazy.enumerable,
    set: lazy.set,
    get() {
      if (!told) {
        told = true
        const reader = new Error().stack?.split('\n')[2]?.trim() ?? 'unknown'
        process.stdout.write(`reads the fetch global ${name} ${reader}\n`)
      }
      return load.call(this)
    },
  })
}
