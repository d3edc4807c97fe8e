/**
 * Cold loads of one stored board, timed: each waits for the board's room to
 * unload (ROOM_IDLE_MS 0), loads it from storage, and hands the loaded room
 * to `inspect` while it is held.
 */
import { performance } from 'node:perf_hooks'
import type { RoomRegistry } from '../server/relay/room-registry.ts'
import type { Room } from '../server/relay/room.ts'

/** Each load's wall time and the process's CPU time over it, in ms. */
export type TimedLoads = { times: number[]; cpuTimes: number[] }

export async function timedLoads(rooms: RoomRegistry, boardId: string, loads: number, inspect: (room: Room) => void): Promise<TimedLoads> {
  const timed: TimedLoads = { times: [], cpuTimes: [] }
  for (let i = 0; i < loads; i++) {
    while (rooms.loadedRooms.has(boardId)) await new Promise((resolve) => setImmediate(resolve))
    const cpuBefore = process.cpuUsage()
    const start = performance.now()
    await rooms.withRoom(boardId, (room) => {
      timed.times.push(performance.now() - start)
      const cpu = process.cpuUsage(cpuBefore)
      timed.cpuTimes.push((cpu.user + cpu.system) / 1000)
      inspect(room)
    })
  }
  return timed
}
