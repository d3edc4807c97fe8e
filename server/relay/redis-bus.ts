/**
 * Several instances, one board: each instance publishes the updates it has
 * committed and the presence it receives on the board's Redis channel, and
 * applies what the others publish. Redis is only the fast path; the update log
 * stays the source of truth, and an instance that may have missed messages
 * (it just subscribed, or Redis came back after a blip) catches up from it.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { Redis } from 'ioredis'
import type { Logger } from '../log.ts'

const KIND_UPDATE = 0
const KIND_AWARENESS = 1

export type BusMessage = { kind: 'update' | 'awareness'; payload: Uint8Array }

export type BusHandlers = {
  onMessage(boardId: string, message: BusMessage): void
  /** The subscription is live (first time or after a reconnect): whatever was published before may be missing. */
  onResubscribed(boardId: string): void
}

export class RedisBus {
  /** Tells this instance's own messages apart when they come back on the channel. */
  private readonly instanceId = crypto.randomUUID()
  private readonly publisher: Redis
  private readonly subscriber: Redis
  private readonly boards = new Set<string>()

  constructor(
    url: string,
    private readonly handlers: BusHandlers,
    private readonly logger: Logger,
  ) {
    const options = { maxRetriesPerRequest: null, lazyConnect: false, connectionName: 'assay' }
    this.publisher = new Redis(url, options)
    this.subscriber = new Redis(url, options)
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'redis connection error; retrying'))
    }
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message))
    // ioredis resubscribes by itself after a reconnect; messages published in between are lost, so catch up.
    this.subscriber.on('ready', () => {
      for (const boardId of this.boards) this.handlers.onResubscribed(boardId)
    })
  }

  async subscribe(boardId: string): Promise<void> {
    this.boards.add(boardId)
    await this.subscriber.subscribe(channelOf(boardId))
    this.handlers.onResubscribed(boardId)
  }

  async unsubscribe(boardId: string): Promise<void> {
    this.boards.delete(boardId)
    await this.subscriber.unsubscribe(channelOf(boardId))
  }

  publish(boardId: string, message: BusMessage): void {
    const encoder = encoding.createEncoder()
    encoding.writeVarString(encoder, this.instanceId)
    encoding.writeVarUint(encoder, message.kind === 'update' ? KIND_UPDATE : KIND_AWARENESS)
    encoding.writeVarUint8Array(encoder, message.payload)
    // A lost publish is repaired by the catch-up from the log, so it is not awaited on the hot path.
    this.publisher.publish(channelOf(boardId), Buffer.from(encoding.toUint8Array(encoder))).catch((error: Error) => {
      this.logger.warn({ boardId, err: error.message }, 'redis publish failed')
    })
  }

  async close(): Promise<void> {
    this.boards.clear()
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()])
  }

  private receive(channel: string, message: Buffer): void {
    const boardId = channel.slice(CHANNEL_PREFIX.length)
    try {
      const decoder = decoding.createDecoder(new Uint8Array(message))
      if (decoding.readVarString(decoder) === this.instanceId) return
      const kind = decoding.readVarUint(decoder) === KIND_UPDATE ? 'update' : 'awareness'
      this.handlers.onMessage(boardId, { kind, payload: decoding.readVarUint8Array(decoder) })
    } catch (error) {
      this.logger.warn({ boardId, err: error instanceof Error ? error.message : String(error) }, 'unreadable redis message dropped')
    }
  }
}

const CHANNEL_PREFIX = 'assay:board:'
const channelOf = (boardId: string) => CHANNEL_PREFIX + boardId
