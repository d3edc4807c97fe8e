/**
 * The connections this instance holds open, in all (HTTP_MAX_CONNECTIONS) and
 * per client address (HTTP_CONNECTIONS_PER_ADDRESS), websockets included.
 * Past either, a new connection is closed at once, unanswered, so that the
 * server degrades by turning connections away rather than failing once it
 * runs out of file descriptors: 20,100 connections trickling a header line
 * every 20 s, from one address and without an account, held the server at its
 * 20,000 descriptors, and fresh websocket upgrades failed for the whole minute.
 *
 * With a proxy in front (TRUST_PROXY) every connection comes from a proxy, so
 * none is counted by address: the proxy bounds each client's (nginx's
 * `limit_conn`), and reads a request's headers whole before it passes it on.
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { HTTP_LIMITS } from '../../shared/limits.ts'
import { addressKey } from '../access/address-key.ts'
import type { Config } from '../config.ts'
import type { Logger } from '../log.ts'
import { openFileLimit } from './open-file-limit.ts'

/** How long after turning a connection away for want of room the instance still reports itself full. */
const FULL_FOR_MS = 10_000

export type OpenConnectionLimits = {
  /** Null: as many as the system allows. */
  total: number | null
  /** Null: not counted by address. */
  perAddress: number | null
}

export type ConnectionsState = { status: 'ok' | 'full'; open: number; max: number | null }

export class OpenConnections {
  private open = 0
  private readonly byAddress = new Map<string, number>()
  /** Addresses turned away and logged, until they hold fewer again: a flood is logged once. */
  private readonly refusedAddresses = new Set<string>()
  private lastFullAt = -Infinity

  constructor(
    private readonly limits: OpenConnectionLimits,
    private readonly logger: Logger,
  ) {}

  watch(server: Server): void {
    if (this.limits.total !== null) server.maxConnections = this.limits.total
    // Node closes a connection past maxConnections before it is ever seen here.
    server.on('drop', () => this.turnedAwayForRoom())
    // Before Node's own listener, so that a connection turned away is closed before anything reads it.
    server.prependListener('connection', (socket: Socket) => this.admit(socket))
  }

  /** Full while connections are being turned away for want of room (within FULL_FOR_MS of the last). */
  state(): ConnectionsState {
    const full = performance.now() - this.lastFullAt < FULL_FOR_MS
    return { status: full ? 'full' : 'ok', open: this.open, max: this.limits.total }
  }

  private admit(socket: Socket): void {
    this.open++
    socket.once('close', () => this.open--)
    const { perAddress } = this.limits
    const peer = socket.remoteAddress
    // Without an address the socket is already gone.
    if (perAddress === null || peer === undefined) return
    const address = addressKey(peer)
    const held = this.byAddress.get(address) ?? 0
    if (held >= perAddress) {
      if (!this.refusedAddresses.has(address)) {
        this.refusedAddresses.add(address)
        this.logger.warn({ address, open: held }, 'connections turned away: the address holds as many as it may (HTTP_CONNECTIONS_PER_ADDRESS)')
      }
      socket.destroy()
      return
    }
    this.byAddress.set(address, held + 1)
    socket.once('close', () => {
      const left = (this.byAddress.get(address) ?? 1) - 1
      if (left === 0) this.byAddress.delete(address)
      else this.byAddress.set(address, left)
      if (left < perAddress) this.refusedAddresses.delete(address)
    })
  }

  private turnedAwayForRoom(): void {
    if (this.state().status === 'ok') this.logger.warn({ open: this.open, max: this.limits.total }, 'connections turned away: the instance holds as many as it may (HTTP_MAX_CONNECTIONS)')
    this.lastFullAt = performance.now()
  }
}

/** The limits as configured; unset, the total is a share of the open-file limit, leaving the rest to the database, Redis, the worker threads and files served. */
export function connectionLimits(config: Pick<Config, 'HTTP_MAX_CONNECTIONS' | 'HTTP_CONNECTIONS_PER_ADDRESS' | 'TRUST_PROXY'>): OpenConnectionLimits {
  const files = openFileLimit()
  return {
    total: config.HTTP_MAX_CONNECTIONS ?? (files === null ? null : Math.floor(files * HTTP_LIMITS.connectionsShareOfOpenFiles)),
    perAddress: config.TRUST_PROXY > 0 ? null : config.HTTP_CONNECTIONS_PER_ADDRESS,
  }
}
