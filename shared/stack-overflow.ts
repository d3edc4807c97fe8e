/** What V8 says of a call stack that ran out. */
const STACK_OVERFLOW_MESSAGE = 'Maximum call stack size exceeded'

/** Whether `error` (or its encoding across a thread) is a call stack that ran out: too deep for this thread, not broken. */
export function isStackOverflow(error: { name: string; message: string }): boolean {
  return error.name === 'RangeError' && error.message === STACK_OVERFLOW_MESSAGE
}
