/**
 * A message for every instance rather than one board: today, closing a
 * person's connections because a right was taken away. It travels two ways,
 * Redis (redis-fan-out.ts) and PostgreSQL (pg-rights-channel.ts), so that a
 * right taken away on an instance cut off Redis still reaches the sockets
 * other instances hold; each carries an id, by which the second copy to
 * arrive is known and left alone (RoomRegistry.applyControlMessage).
 */
import { z } from 'zod'
import { CLOSE, type CloseEvent } from '../../shared/protocol.ts'
import { connectionSelectorSchema, type ConnectionSelector } from './connection-selector.ts'

/** `id` is missing from the messages of an instance of an earlier version, mid rolling deployment. */
export type ControlMessage = { type: 'close-connections'; id?: string; selector: ConnectionSelector; event: CloseEvent }

const KNOWN_CLOSE_EVENTS: readonly CloseEvent[] = Object.values(CLOSE)

/** What arrives from another instance is checked like any input: a close code or reason the socket refuses would leave it open and unserved. */
const controlMessageSchema = z.object({
  type: z.literal('close-connections'),
  id: z.string().max(64).optional(),
  selector: connectionSelectorSchema,
  event: z
    .object({ code: z.number(), reason: z.string() })
    .refine((event) => KNOWN_CLOSE_EVENTS.some((known) => known.code === event.code && known.reason === event.reason), 'not a close event of shared/protocol.ts'),
}) satisfies z.ZodType<ControlMessage>

export function newControlMessage(selector: ConnectionSelector, event: CloseEvent): ControlMessage {
  return { type: 'close-connections', id: crypto.randomUUID(), selector, event }
}

export function encodeControlMessage(message: ControlMessage): string {
  return JSON.stringify(message)
}

/** The message `text` holds; throws when it holds none. */
export function readControlMessage(text: string): ControlMessage {
  return controlMessageSchema.parse(JSON.parse(text))
}

/** The ids of the control messages seen lately, the oldest forgotten first: a copy arriving later than `kept` others is applied again, which changes nothing. */
export class RecentControlMessages {
  private readonly seen = new Set<string>()

  constructor(private readonly kept = 1000) {}

  /** Whether the message is new here; remembers it. */
  firstSight(message: ControlMessage): boolean {
    if (message.id === undefined) return true
    if (this.seen.has(message.id)) return false
    this.seen.add(message.id)
    if (this.seen.size > this.kept) this.seen.delete(this.seen.values().next().value!)
    return true
  }
}
