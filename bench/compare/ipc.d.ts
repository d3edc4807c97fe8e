/** Types of ipc.js (plain JavaScript, see there why). */
export type Channel = {
  send?(message: unknown): boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

export type Handlers = Record<string, (args: never) => unknown>

export function answerCalls(channel: Channel, handlers: Handlers): void
export function call<T>(channel: Channel, name: string, args?: unknown): Promise<T>
