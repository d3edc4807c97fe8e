// @ts-check
/**
 * Calls over a Node IPC channel (a child process, or `process` inside one):
 * the comparison's processes ask each other for things this way. A call
 * carries an id so that answers may come in any order. Plain JavaScript,
 * because the peer servers load it without a TypeScript loader (server-probe.js).
 */

/** @typedef {import('./ipc.d.ts').Channel} Channel */
/** @typedef {import('./ipc.d.ts').Handlers} Handlers */

/** @param {unknown} message @returns {message is { call: number; name: string; args: unknown }} */
const isCall = (message) => typeof message === 'object' && message !== null && 'call' in message

/** @param {unknown} message @returns {message is { answer: number; result?: unknown; error?: string }} */
const isAnswer = (message) => typeof message === 'object' && message !== null && 'answer' in message

/** @param {unknown} error */
const describe = (error) => (error instanceof Error ? (error.stack ?? error.message) : String(error))

/** Answers the calls that arrive on `channel` with `handlers`; a handler's failure becomes the caller's error. */
export function answerCalls(/** @type {Channel} */ channel, /** @type {Handlers} */ handlers) {
  channel.on('message', (message) => {
    if (!isCall(message)) return
    const handler = handlers[message.name]
    const reply = (/** @type {{ result?: unknown; error?: string }} */ answer) => channel.send?.({ answer: message.call, ...answer })
    if (!handler) {
      reply({ error: `no handler for ${message.name}` })
      return
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ result }),
        (error) => reply({ error: describe(error) }),
      )
  })
}

let nextCall = 1

/** Calls `name` on the other end of `channel`; resolves with its answer. */
export function call(/** @type {Channel} */ channel, /** @type {string} */ name, /** @type {unknown} */ args = null) {
  const id = nextCall++
  return new Promise((resolve, reject) => {
    const listener = (/** @type {unknown} */ message) => {
      if (!isAnswer(message) || message.answer !== id) return
      channel.off('message', listener)
      if (message.error !== undefined) reject(new Error(`${name}: ${message.error}`))
      else resolve(message.result)
    }
    channel.on('message', listener)
    if (!channel.send?.({ call: id, name, args })) {
      channel.off('message', listener)
      reject(new Error(`${name}: the channel is closed`))
    }
  })
}
