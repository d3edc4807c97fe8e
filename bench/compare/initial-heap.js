// @ts-check
/**
 * Loaded before a target server's own script (`node --import`, see
 * server-process.ts), so that this reads the young generation's size before
 * anything has grown it: start memory is read once it is back to this.
 */
import { getHeapSpaceStatistics } from 'node:v8'

/** The bytes V8's new space holds, committed. */
export const newSpaceBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0

export const initialNewSpaceBytes = newSpaceBytes()
