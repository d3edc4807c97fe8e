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
import type { CloseEvent } from '../../shared/protocol.ts'
import type { Logger } from '../log.ts'
import { redisReconnectDelay } from '../redis-reconnect.ts'
import type { RelayMetrics } from './relay-metrics.ts'
import type { ConnectionSelector } from './room-registry.ts'

const KIND_UPDATE = 0
const KIND_AWARENESS = 1
const KIND_CONTROL = 2

export type BusMessage = { kind: 'update' | 'awareness'; payload: Uint8Array }

/** A message for every instance rather than one board: today, closing a person's connections. */
export type ControlMessage = { type: 'close-connections'; selector: ConnectionSelector; event: CloseEvent }

export type BusHandlers = {
  onControl(message: ControlMessage): void
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
    private readonly metrics: Pick<RelayMetrics, 'redisPublished' | 'redisReceived'>,
  ) {
    const options = { maxRetriesPerRequest: null, lazyConnect: false, connectionName: 'assay', retryStrategy: redisReconnectDelay }
    this.publisher = new Redis(url, options)
    this.subscriber = new Redis(url, options)
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'redis connection error; retrying'))
    }
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message))
    this.subscriber.subscribe(CONTROL_CHANNEL).catch((error: Error) => this.logger.warn({ err: error.message }, 'redis control subscription failed; retrying on reconnect'))
    // ioredis resubscribes by itself after a reconnect; messages published in between are lost, so catch up.
    this.subscriber.on('ready', () => {
      for (const boardId of this.boards) this.notifyResubscribed(boardId)
    })
  }

  /** Resolves once both connections have answered a ping (readiness); rejects at once while either is not connected. */
  async ping(): Promise<void> {
    const down = [this.publisher, this.subscriber].find((client) => client.status !== 'ready')
    if (down) throw new Error(`redis connection is ${down.status}`)
    await Promise.all([this.publisher.ping(), this.subscriber.ping()])
  }

  async subscribe(boardId: string): Promise<void> {
    this.boards.add(boardId)
    await this.subscriber.subscribe(channelOf(boardId))
    this.notifyResubscribed(boardId)
  }

  /** A handler's failure is this board's alone: logged, never thrown into ioredis's event emitter. */
  private notifyResubscribed(boardId: string): void {
    try {
      this.handlers.onResubscribed(boardId)
    } catch (error) {
      this.logger.error({ boardId, err: error instanceof Error ? error.message : String(error) }, 'catch-up after a redis subscription failed')
    }
  }

  async unsubscribe(boardId: string): Promise<void> {
    this.boards.delete(boardId)
    await this.subscriber.unsubscribe(channelOf(boardId))
  }

  publish(boardId: string, message: BusMessage): void {
    this.send(channelOf(boardId), message.payload, message.kind === 'update' ? KIND_UPDATE : KIND_AWARENESS)
  }

  private send(channel: string, payload: Uint8Array, kind: number): void {
    const encoder = encoding.createEncoder()
    encoding.writeVarString(encoder, this.instanceId)
    encoding.writeVarUint(encoder, kind)
    encoding.writeVarUint8Array(encoder, payload)
    this.metrics.redisPublished()
    // A lost board message is repaired by the catch-up from the log, so it is not awaited on the hot path.
    this.publisher.publish(channel, Buffer.from(encoding.toUint8Array(encoder))).catch((error: Error) => {
      this.logger.warn({ channel, err: error.message }, 'redis publish failed')
    })
  }

  publishControl(message: ControlMessage): void {
    this.send(CONTROL_CHANNEL, new TextEncoder().encode(JSON.stringify(message)), KIND_CONTROL)
  }

  async close(): Promise<void> {
    this.boards.clear()
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()])
  }

  private receive(channel: string, message: Buffer): void {
    try {
      const decoder = decoding.createDecoder(new Uint8Array(message))
      if (decoding.readVarString(decoder) === this.instanceId) return
      this.metrics.redisReceived()
      const kind = decoding.readVarUint(decoder)
      const payload = decoding.readVarUint8Array(decoder)
      if (kind === KIND_CONTROL) this.handlers.onControl(JSON.parse(new TextDecoder().decode(payload)) as ControlMessage)
      else this.handlers.onMessage(channel.slice(CHANNEL_PREFIX.length), { kind: kind === KIND_UPDATE ? 'update' : 'awareness', payload })
    } catch (error) {
      this.logger.warn({ channel, err: error instanceof Error ? error.message : String(error) }, 'unreadable redis message dropped')
    }
  }
}

const CHANNEL_PREFIX = 'assay:board:'
const CONTROL_CHANNEL = 'assay:control'
const channelOf = (boardId: string) => CHANNEL_PREFIX + boardId
