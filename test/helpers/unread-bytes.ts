/**
 * The bytes the kernel holds for a TCP socket that the process has not read
 * yet (the receive queue Linux lists in /proc/net/tcp and tcp6): known while
 * the thread is held, when Node reads nothing, so a test can hold it until an
 * answer has come.
 */
import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'

export function unreadBytes(socket: Socket): number {
  const { localPort, remotePort } = socket
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    // Each line: the slot, local and remote address as HEXIP:HEXPORT, the state, then tx_queue:rx_queue in hex.
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, remote, , queues] = line.trim().split(/\s+/)
      if (local === undefined || remote === undefined || queues === undefined) continue
      if (portOf(local) === localPort && portOf(remote) === remotePort) return Number.parseInt(queues.split(':')[1]!, 16)
    }
  }
  throw new Error(`no TCP socket from port ${localPort} to ${remotePort} is listed in /proc/net`)
}

function portOf(address: string): number {
  return Number.parseInt(address.slice(address.indexOf(':') + 1), 16)
}
